-- Every change of a user or an app, whoever makes it (a replica, the admin command line, or SQL typed by hand),
-- is announced to every replica by these triggers, on the channel of the other change notices, when its
-- transaction commits: nothing can change an account without the replicas' caches hearing of it (see ChangeFeed
-- in the store crate). The payloads are 'user:<user ID>' and 'app:<client ID>'.
CREATE FUNCTION mscommerce_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mscommerce_changes', 'user:' || OLD.id);
    RETURN NULL;
END;
$$;

CREATE FUNCTION mscommerce_app_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mscommerce_changes', 'app:' || OLD.client_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION mscommerce_user_changed();

CREATE TRIGGER apps_changed AFTER UPDATE OR DELETE ON apps
    FOR EACH ROW EXECUTE FUNCTION mscommerce_app_changed();
