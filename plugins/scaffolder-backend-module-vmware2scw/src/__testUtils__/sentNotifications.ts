import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';

/** A notification service for a test backend that keeps what it is asked to send, in `sent`. */
export function sentNotifications() {
  const sent: NotificationSendOptions[] = [];
  const factory = createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      send: async (n: NotificationSendOptions) => {
        sent.push(n);
      },
    }),
  });
  return { sent, factory };
}
