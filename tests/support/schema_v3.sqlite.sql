-- The newscrawl database at schema version 3 (sqlite), as newscrawl's v3 code created it (its
-- metadata compiled for sqlite): tests/test_migrations.py opens a database made by this DDL to show
-- that the code of today migrates it in place. Frozen: never edit it to follow newscrawl/storage/schema.py.

CREATE TABLE article_versions (
    id INTEGER NOT NULL,
    canonical_url TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    modified DATETIME,
    modified_raw TEXT,
    title TEXT,
    body JSON NOT NULL,
    recorded_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_article_versions_url_version UNIQUE (canonical_url, version)
);

CREATE TABLE articles (
    id INTEGER NOT NULL,
    canonical_url TEXT NOT NULL,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    section TEXT,
    title TEXT,
    lead TEXT,
    published DATETIME,
    published_raw TEXT,
    modified DATETIME,
    modified_raw TEXT,
    authors JSON NOT NULL,
    authors_raw JSON NOT NULL,
    source TEXT,
    captions JSON NOT NULL,
    body JSON NOT NULL,
    tags JSON NOT NULL,
    images JSON NOT NULL,
    language TEXT,
    crawled_at DATETIME,
    content_hash TEXT NOT NULL,
    extraction JSON NOT NULL,
    missing JSON NOT NULL,
    duplicate_of TEXT,
    version INTEGER NOT NULL,
    schema_version TEXT,
    first_seen DATETIME NOT NULL,
    last_seen DATETIME NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_articles_canonical_url UNIQUE (canonical_url)
);

CREATE INDEX ix_articles_content_hash ON articles (content_hash);

CREATE INDEX ix_articles_duplicate_of ON articles (duplicate_of);

CREATE INDEX ix_articles_first_seen ON articles (first_seen);

CREATE INDEX ix_articles_published ON articles (published);

CREATE INDEX ix_articles_site ON articles (site);

CREATE INDEX ix_articles_site_published ON articles (site, published);

CREATE TABLE duplicates (
    id INTEGER NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    duplicate_of TEXT NOT NULL,
    kind VARCHAR(8) NOT NULL,
    similarity FLOAT NOT NULL,
    first_seen DATETIME NOT NULL,
    seen_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_duplicates_pair UNIQUE (canonical_url, duplicate_of, kind)
);

CREATE INDEX ix_duplicates_duplicate_of ON duplicates (duplicate_of);

CREATE TABLE minhash_signatures (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    canonical_url TEXT NOT NULL,
    num_perm INTEGER NOT NULL,
    scheme VARCHAR(32) NOT NULL,
    seed INTEGER NOT NULL,
    hashvalues BLOB NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT uq_minhash_signatures_canonical_url UNIQUE (canonical_url)
);

CREATE TABLE rejects (
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    reasons JSON NOT NULL,
    first_rejected DATETIME NOT NULL,
    last_rejected DATETIME NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (url)
);

CREATE INDEX ix_rejects_site ON rejects (site);

CREATE TABLE runs (
    run_id VARCHAR(128) NOT NULL,
    sites JSON NOT NULL,
    started_at DATETIME NOT NULL,
    finished_at DATETIME,
    stats JSON,
    status VARCHAR(32) NOT NULL,
    PRIMARY KEY (run_id)
);

CREATE INDEX ix_runs_started_at ON runs (started_at);

CREATE TABLE schema_meta (
    "key" VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY ("key")
);

CREATE TABLE url_state (
    site TEXT NOT NULL,
    url_key TEXT NOT NULL,
    url TEXT NOT NULL,
    kind VARCHAR(8) NOT NULL,
    state VARCHAR(16) NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL,
    section TEXT,
    page INTEGER,
    first_seen DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    next_attempt DATETIME,
    run_id VARCHAR(128),
    PRIMARY KEY (site, url_key)
);

CREATE INDEX ix_url_state_site_state ON url_state (site, state);
