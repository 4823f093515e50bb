/**
 * The incident a parent's buttons stand for (see views/incident-ref.ts, where the code lives so
 * the pure views may load it): what the incident action handlers import.
 */
export { decodeIncidentRef, encodeIncidentRef, type IncidentRef, type IncidentRefResult } from './views/incident-ref.js';
export { incidentRefFromBlockId, INCIDENT_ACTIONS, INCIDENT_BLOCK_PREFIX } from './views/incident.js';
