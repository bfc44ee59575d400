// Officer pages' service worker: shows reply alerts pushed by the server (Web Push, VAPID).
self.addEventListener("push", (event) => {
  const data = event.data ? event.data.json() : {title: "Mortgage SMS", body: "", url: "/officer/"};
  event.waitUntil(self.registration.showNotification(data.title, {body: data.body, data: {url: data.url}, tag: data.url}));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(clients.openWindow(event.notification.data.url));
});
