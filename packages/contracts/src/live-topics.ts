// The topics of the live pub/sub (Redis, or a subgraph's event stream without it): subgraphs
// publish on them after a commit, the router's subscriptions listen on them.

/** Who is watching: the router picks a viewer's own topic by role. */
export interface LiveViewer {
  userId: string;
  organizationId: string;
  role: string;
}

export const liveTopics = {
  /** Every change of one order (orderUpdated). */
  order: (orderId: string) => `order:${orderId}`,
  /** Positions of one order's delivery (deliveryPositionUpdated). */
  delivery: (orderId: string) => `delivery:${orderId}`,
  /** Changes of every order of an organization, hospital or vendor (orderEvents). */
  organizationOrders: (organizationId: string) => `org:${organizationId}:orders`,
  /** Changes of the orders assigned to one driver (orderEvents of a driver). */
  driverOrders: (userId: string) => `user:${userId}:orders`,
  /** Stock changes at one depot (stockLevelChanged). */
  stock: (depotId: string) => `stock:${depotId}`,
  /** Notifications for an organization's admins and staff (notificationAdded). */
  organizationNotifications: (organizationId: string) => `org:${organizationId}:notifications`,
  /** Notifications for one user: a driver's assignments (notificationAdded of a driver). */
  userNotifications: (userId: string) => `user:${userId}:notifications`,
  /** Whose orders a viewer's orderEvents carries: a driver's own deliveries, else the organization's. */
  ordersOf: (viewer: LiveViewer) =>
    viewer.role === 'DRIVER'
      ? liveTopics.driverOrders(viewer.userId)
      : liveTopics.organizationOrders(viewer.organizationId),
  /**
   * Whose notifications a viewer's notificationAdded carries: a driver's own (their assignments),
   * else the organization's, which its admins and staff share.
   */
  notificationsOf: (viewer: LiveViewer) =>
    viewer.role === 'DRIVER'
      ? liveTopics.userNotifications(viewer.userId)
      : liveTopics.organizationNotifications(viewer.organizationId),
};
