export { ANONYMOUS, type RequestOrigin } from './audit';
export { type ClientInformation, clientInformation, registrationClientUri } from './client-information';
export {
  authenticateRegistration,
  deleteRegistration,
  isDynamicallyRegistered,
  type ManagedClient,
  readRegistration,
  updateRegistration,
  withoutRegistrationAccess,
} from './manage';
export {
  type ClientMetadata,
  type MetadataOptions,
  REGISTRABLE_AUTH_METHODS,
  REGISTRABLE_GRANT_TYPES,
  REGISTRATION_METADATA_FIELDS,
  validateClientMetadata,
} from './metadata';
export { INITIAL_ACCESS_SCOPE, registerClient, registrationActor } from './register';
