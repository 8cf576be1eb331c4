export { registerAdminPageRoutes } from './register';
