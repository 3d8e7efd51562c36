/**
 * The App Access permission policy: App Access admin rights for members of
 * `appAccess.permissions.adminGroups` only, as a permission backend module
 * or as a wrapper around a portal's own policy.
 *
 * @packageDocumentation
 */
export { permissionModuleAppAccessPolicy as default } from './module';
export {
  createAppAccessPermissionPolicy,
  type AppAccessPermissionPolicyOptions,
} from './AppAccessPermissionPolicy';
export { AppAccessAdminGroups } from './AppAccessAdminGroups';
