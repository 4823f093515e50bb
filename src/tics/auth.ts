/**
 * The three ways to authenticate to TICS, behind one interface the client calls per request.
 * `description` names the credential without revealing it (for the CLI's credential check and logs).
 */
import { formatSdkDate, sign } from './sign.js';

export interface AuthRequest {
  method: string;
  url: URL;
  /** Headers already on the request; the result is merged over them. */
  headers: Readonly<Record<string, string>>;
}

export interface TicsAuth {
  readonly kind: 'aksk' | 'token' | 'iam';
  readonly description: string;
  headers(req: AuthRequest): Promise<Record<string, string>>;
  /** Called once on a 401; true when a fresh credential was obtained and one retry makes sense. */
  refreshAfterRejection?(errorCode: string | undefined): Promise<boolean>;
}

/** Shows enough of an id to recognise it, never enough to use it. */
export function maskId(value: string): string {
  return value.length <= 8 ? `${value.slice(0, 2)}…` : `${value.slice(0, 4)}…${value.slice(-3)}`;
}

export function akskAuth(options: { ak: string; sk: string; securityToken?: string; projectId: string; now?: () => Date }): TicsAuth {
  const now = options.now ?? (() => new Date());
  return {
    kind: 'aksk',
    description: `AK/SK signing (access key ${maskId(options.ak)}${options.securityToken ? ', temporary credentials' : ''})`,
    headers({ method, url, headers }) {
      const added: Record<string, string> = {
        'X-Sdk-Date': formatSdkDate(now()),
        'X-Project-Id': options.projectId,
        Host: url.host,
        ...(options.securityToken ? { 'X-Security-Token': options.securityToken } : {}),
      };
      const all = { ...headers, ...added };
      const signedNames = ['host', 'x-sdk-date', 'x-project-id', 'content-type', ...(options.securityToken ? ['x-security-token'] : [])].filter((name) =>
        Object.keys(all).some((k) => k.toLowerCase() === name),
      );
      const signature = sign(
        { method, path: decodeURIComponent(url.pathname), query: [...url.searchParams.entries()], headers: all },
        { ak: options.ak, sk: options.sk },
        signedNames,
      );
      // undici sets Host itself from the URL (identical value); sending it twice would be an error.
      const { Host: _host, ...rest } = added;
      return Promise.resolve({ ...rest, Authorization: signature.authorization });
    },
  };
}

export function tokenAuth(token: string): TicsAuth {
  return {
    kind: 'token',
    description: `pre-issued IAM token (TICS_AUTH_TOKEN, ${token.length} characters)`,
    headers: () => Promise.resolve({ 'X-Auth-Token': token }),
  };
}
