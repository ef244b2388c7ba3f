function handler(event) { event.request.uri = event.request.uri.replace(/^\/r\//, '/'); return event.request; }
