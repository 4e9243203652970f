-- Every change of a user or an app, whoever makes it (the service, the admin command line, or SQL typed by hand),
-- recorded by triggers so that nothing can change an account without the serving process hearing of it: it reads
-- this table every second and stops trusting what it holds in memory about the accounts named here (see
-- ChangeFeed in the store crate). Rows are deleted after an hour.
CREATE TABLE directory_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'user' (id is the user's ID) or 'app' (id is the app's client ID).
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TRIGGER users_changed AFTER UPDATE ON users BEGIN
    INSERT INTO directory_changes (kind, id, changed_at)
    VALUES ('user', OLD.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER users_deleted AFTER DELETE ON users BEGIN
    INSERT INTO directory_changes (kind, id, changed_at)
    VALUES ('user', OLD.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER apps_changed AFTER UPDATE ON apps BEGIN
    INSERT INTO directory_changes (kind, id, changed_at)
    VALUES ('app', OLD.client_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER apps_deleted AFTER DELETE ON apps BEGIN
    INSERT INTO directory_changes (kind, id, changed_at)
    VALUES ('app', OLD.client_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
