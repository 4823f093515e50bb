/**
 * `POST /v3/auth/tokens`, password method with project scope — the one IAM call the bot makes.
 * Errors use IAM's own body shape (`{"error":{code,message,title}}`), not the gateway's.
 */
// The mini class: the full UTCDate builds Intl formatters (ICU data, ~13 MB RSS) at import.
import { UTCDateMini as UTCDate } from '@date-fns/utc/date/mini';
import { format } from 'date-fns/format';
import { z } from 'zod';

export interface IamUser {
  name: string;
  password: string;
  domain: string;
}

const nonEmpty = z.string().min(1);

export const iamTokenRequestSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.tuple([z.literal('password')]),
      password: z.object({
        user: z.object({
          name: nonEmpty,
          password: nonEmpty,
          domain: z.object({ name: nonEmpty }),
        }),
      }),
    }),
    scope: z.object({ project: z.object({ id: z.string().regex(/^[A-Za-z0-9]{1,32}$/) }) }),
  }),
});

export interface IamReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface IamContext {
  users: readonly IamUser[];
  projectId: string;
  ttlMs: number;
  nocatalog: boolean;
  issue: (projectId: string, ttlMs: number) => { token: string; issuedAt: number; expiresAt: number };
}

export function iamError(code: number, title: string, message: string): IamReply {
  return { status: code, headers: {}, body: { error: { code, message, title } } };
}

/** IAM prints microseconds: `2024-05-01T08:00:00.123000Z`. */
export function iamTime(ms: number): string {
  return format(new UTCDate(ms), "yyyy-MM-dd'T'HH:mm:ss.SSS'000Z'");
}

export function handleTokenRequest(rawBody: string, ctx: IamContext): IamReply {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return iamError(400, 'Bad Request', 'The request body is not valid JSON.');
  }
  const parsed = iamTokenRequestSchema.safeParse(json);
  if (!parsed.success) return iamError(400, 'Bad Request', `Invalid request body: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ')}`);
  const { user } = parsed.data.auth.identity.password;
  const known = ctx.users.some((u) => u.name === user.name && u.password === user.password && u.domain === user.domain.name);
  if (!known) return iamError(401, 'Unauthorized', 'The username or password is wrong.');
  const projectId = parsed.data.auth.scope.project.id;
  // The account has exactly one project here; scoping to any other is a request error, as IAM says.
  if (projectId !== ctx.projectId) return iamError(400, 'Bad Request', `The project ${projectId} does not exist or is not accessible.`);
  const issued = ctx.issue(projectId, ctx.ttlMs);
  return {
    status: 201,
    headers: { 'X-Subject-Token': issued.token },
    body: {
      token: {
        expires_at: iamTime(issued.expiresAt),
        issued_at: iamTime(issued.issuedAt),
        methods: ['password'],
        project: { id: projectId, name: 'cn-north-4', domain: { id: 'simdomain0000000000000000000001', name: user.domain.name } },
        user: { name: user.name, domain: { name: user.domain.name } },
        ...(ctx.nocatalog ? {} : { catalog: [] }),
      },
    },
  };
}
