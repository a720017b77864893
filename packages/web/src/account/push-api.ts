import { request } from '../api/http.js';

/** The server's Web Push endpoints for the signed-in person's devices. */
export const pushApi = {
  /** The application server (VAPID) key browsers subscribe with, base64url. */
  key: () => request<{ publicKey: string }>('/me/push/key'),
  subscribe: (subscription: PushSubscriptionJSON) => request<{ endpoint: string }>('/me/push-subscriptions', { body: subscription }),
  unsubscribe: (endpoint: string) => request<void>('/me/push-subscriptions', { method: 'DELETE', body: { endpoint } }),
};
