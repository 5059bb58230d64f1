"""Installing the app: the authorization-code flow (install and Reconnect), managed installation
by token exchange on the first embedded load, and the bounce page that fetches an id token."""
