/** Plain domain objects shared by stores, strategies, services and resolvers. */

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  passwordChangedAt: Date;
  createdAt: Date;
}

/** The public part of a user: what the `User` GraphQL type shows. */
export type UserProfile = Pick<UserRecord, 'id' | 'email' | 'createdAt'>;

/** One login, as the `Session` GraphQL type shows it. */
export interface SessionInfo {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/** Who made a request: the user and the login (refresh-token family or server session) it belongs to. */
export interface Principal {
  userId: string;
  sessionId: string;
}

/** What a successful register, login, refresh or password change answers. */
export interface AuthResult {
  user: UserProfile;
  mode: 'JWT' | 'SESSION';
  accessToken?: string | null;
  accessTokenExpiresAt?: Date | null;
  refreshToken?: string | null;
  refreshTokenExpiresAt?: Date | null;
  sessionExpiresAt?: Date | null;
}

/** Where a request came from, as recorded with each login. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}
