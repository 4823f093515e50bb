/**
 * ListLeagues and ShowLeague (tics-api-more.md §1–2). Enums stay open: a status or role TICS adds
 * later is kept verbatim and shown raw.
 */
import { z } from 'zod';
import type { ParseResult } from './schema.js';
import { isoWire, parseWire, parseWirePage, snakeize, wireBool, wireDate, wireKey, wireNumber, wireText } from './wire.js';

export const KNOWN_LEAGUE_STATUSES = ['CREATING', 'CREATE_FAILED', 'NORMAL', 'UPDATING', 'UPDATE_FAILED', 'ROLLING', 'ROLL_FAILED', 'DELETING', 'DELETE_FAILED', 'DELETED'] as const;
export type LeagueStatus = (typeof KNOWN_LEAGUE_STATUSES)[number] | (string & {});
/** The caller's role in a league. */
export type LeagueRole = 'OWNER' | 'PARTNER' | (string & {});
export type PrivacyProtectionType = 'STANDARD' | 'HIGH' | (string & {});

/** ListLeagues' required `type`: there is no "all"; list both and merge by id. */
export const LEAGUE_LIST_TYPES = ['owned', 'participativenormal'] as const;
export type LeagueListType = (typeof LEAGUE_LIST_TYPES)[number];

export interface League {
  id: string;
  name: string;
  leagueStatus?: LeagueStatus;
  type?: LeagueRole;
  /** Number of members. */
  partners?: number;
  creatorId?: string;
  creatorName?: string;
  /** Epoch number of undocumented unit, as sent. */
  createTime?: number;
  /** Epoch ms (parsed from the ISO date-time). */
  createDate?: number;
  expireTime?: number;
  version?: string;
  bcsChannelName?: string;
  bcsOrgName?: string;
  bcsIp?: string;
  blockChainId?: string;
  blockChainName?: string;
}

export interface LeagueDetail extends League {
  description?: string;
  dpEnabled?: boolean;
  isAccessControl?: boolean;
  isNeedApproval?: boolean;
  privacyProtectionType?: PrivacyProtectionType;
  resourceSpecCode?: string;
}

export interface LeaguePage {
  total: number;
  leagues: League[];
}

const leagueFields = {
  id: wireKey,
  name: wireKey,
  league_status: wireText,
  type: wireText,
  partners: wireNumber,
  creator_id: wireText,
  creator_name: wireText,
  create_time: wireNumber,
  create_date: wireDate,
  expire_time: wireNumber,
  version: wireText,
  bcs_channel_name: wireText,
  bcs_org_name: wireText,
  bcs_ip: wireText,
  block_chain_id: wireText,
  block_chain_name: wireText,
};

const wireLeague = z.object(leagueFields);
const wireLeagueDetail = z.object({
  ...leagueFields,
  description: wireText,
  dp_enabled: wireBool,
  is_access_control: wireBool,
  is_need_approval: wireBool,
  privacy_protection_type: wireText,
  resource_spec_code: wireText,
});

export function parseLeaguePage(body: unknown): ParseResult<LeaguePage> {
  const page = parseWirePage<League>(wireLeague, body);
  return page.ok ? { ok: true, value: { total: page.value.total, leagues: page.value.items } } : page;
}

export function parseLeagueDetail(body: unknown): ParseResult<LeagueDetail> {
  return parseWire<LeagueDetail>(wireLeagueDetail, body);
}

/** The wire shape, for the simulator. `detail` false leaves out what only ShowLeague returns. */
export function toWireLeague(league: LeagueDetail, detail: boolean): Record<string, unknown> {
  const { description, dpEnabled, isAccessControl, isNeedApproval, privacyProtectionType, resourceSpecCode, ...listed } = league;
  const base = { ...listed, createDate: isoWire(listed.createDate) };
  const value = detail ? { ...base, description, dpEnabled, isAccessControl, isNeedApproval, privacyProtectionType, resourceSpecCode } : base;
  return snakeize(value) as Record<string, unknown>;
}
