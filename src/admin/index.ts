/** Admin operations over ports (no Hono): shared by the admin JSON API and the admin pages. */
export {
  type AdminAction,
  type AuditEntryView,
  AuditEntryViewSchema,
  AuditPageSchema,
  auditView,
  listAudit,
  recordAudit,
} from './audit';
export {
  ClientCreateSchema,
  ClientPageSchema,
  type ClientSecret,
  ClientSecretSchema,
  ClientUpdateSchema,
  type ClientView,
  ClientViewSchema,
  type ClientWithSecret,
  ClientWithSecretSchema,
  clientView,
} from './client-schemas';
export {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  updateClient,
} from './clients';
export {
  type AdminActor,
  type AdminCandidate,
  type AdminContext,
  isAdministrator,
  type KeyRingPort,
} from './context';
export { type Dashboard, DashboardSchema, dashboard, ISSUANCE_DAYS } from './dashboard';
export {
  addDenyEntry,
  DENY_KINDS,
  DenyEntryCreateSchema,
  type DenyEntryInput,
  DenyEntryPageSchema,
  type DenyEntryView,
  DenyEntryViewSchema,
  DenylistQuerySchema,
  denyEntryView,
  getDenyEntry,
  listDenylist,
  removeDenyEntry,
} from './denylist';
export {
  auditEvent,
  EventPageSchema,
  EventQuerySchema,
  type EventView,
  EventViewSchema,
  eventView,
  listEvents,
} from './events';
export {
  BULK_REVOKE_LIMIT,
  type BulkRevokeResult,
  BulkRevokeResultSchema,
  BulkRevokeSchema,
  GrantPageSchema,
  GrantQuerySchema,
  type GrantView,
  GrantViewSchema,
  getGrant,
  grantView,
  listGrants,
  revokeGrant,
  revokeGrants,
} from './grants';
export {
  listSigningKeys,
  rotateSigningKeys,
  SigningKeyListSchema,
  type SigningKeyView,
  SigningKeyViewSchema,
  signingKeyView,
} from './keys';
export { DEFAULT_PAGE_SIZE, PageQuerySchema, type PageView, parsePageQuery, type Query } from './paging';
export {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  PasswordResetSchema,
  resetUserPassword,
  type UserCreateInput,
  UserCreateSchema,
  UserPageSchema,
  type UserUpdateInput,
  UserUpdateSchema,
  type UserView,
  UserViewSchema,
  updateUser,
  userView,
} from './users';
export { ConflictRequestError, parseInput } from './validation';
