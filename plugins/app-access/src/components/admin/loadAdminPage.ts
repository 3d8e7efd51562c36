/**
 * The administration's chunk. Every place that loads it (the App Access
 * router's admin tab, the standalone admin page of either frontend system)
 * calls this one function: webpack bases an async chunk on the chunk its
 * `import()` sits in, so one call site in the plugin's entry module yields
 * one administration chunk instead of a copy per caller.
 */
export const loadAdminPage = () => import('./AdminPage');
