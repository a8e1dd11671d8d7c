-- The newscrawl database at schema version 3 (postgresql), as newscrawl's v3 code created it (its
-- metadata compiled for postgresql): tests/test_migrations.py opens a database made by this DDL to show
-- that the code of today migrates it in place. Frozen: never edit it to follow newscrawl/storage/schema.py.

CREATE TABLE article_versions (
    id BIGSERIAL NOT NULL,
    canonical_url TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    modified TIMESTAMP WITH TIME ZONE,
    modified_raw TEXT,
    title TEXT,
    body JSONB NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_article_versions_url_version UNIQUE (canonical_url, version)
);

CREATE TABLE articles (
    id BIGSERIAL NOT NULL,
    canonical_url TEXT NOT NULL,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    section TEXT,
    title TEXT,
    lead TEXT,
    published TIMESTAMP WITH TIME ZONE,
    published_raw TEXT,
    modified TIMESTAMP WITH TIME ZONE,
    modified_raw TEXT,
    authors JSONB NOT NULL,
    authors_raw JSONB NOT NULL,
    source TEXT,
    captions JSONB NOT NULL,
    body JSONB NOT NULL,
    tags JSONB NOT NULL,
    images JSONB NOT NULL,
    language TEXT,
    crawled_at TIMESTAMP WITH TIME ZONE,
    content_hash TEXT NOT NULL,
    extraction JSONB NOT NULL,
    missing JSONB NOT NULL,
    duplicate_of TEXT,
    version INTEGER NOT NULL,
    schema_version TEXT,
    first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_articles_canonical_url UNIQUE (canonical_url)
);

CREATE INDEX ix_articles_content_hash ON articles (content_hash);

CREATE INDEX ix_articles_duplicate_of ON articles (duplicate_of);

CREATE INDEX ix_articles_first_seen ON articles (first_seen);

CREATE INDEX ix_articles_published ON articles (published);

CREATE INDEX ix_articles_site ON articles (site);

CREATE INDEX ix_articles_site_published ON articles (site, published);

COMMENT ON COLUMN articles.published IS 'publication time, UTC';

COMMENT ON COLUMN articles.published_raw IS 'publication time as extracted, ISO 8601 with its offset';

COMMENT ON COLUMN articles.modified IS 'last modification time, UTC';

COMMENT ON COLUMN articles.modified_raw IS 'modification time as extracted, ISO 8601 with its offset';

COMMENT ON COLUMN articles.duplicate_of IS 'canonical_url of the first copy when this article is a near-duplicate';

CREATE TABLE duplicates (
    id BIGSERIAL NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    duplicate_of TEXT NOT NULL,
    kind VARCHAR(8) NOT NULL,
    similarity FLOAT NOT NULL,
    first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
    seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_duplicates_pair UNIQUE (canonical_url, duplicate_of, kind)
);

CREATE INDEX ix_duplicates_duplicate_of ON duplicates (duplicate_of);

COMMENT ON COLUMN duplicates.url IS 'URL fetched';

COMMENT ON COLUMN duplicates.canonical_url IS 'canonical URL of the duplicate';

COMMENT ON COLUMN duplicates.duplicate_of IS 'canonical URL of the first copy';

COMMENT ON COLUMN duplicates.kind IS '''exact'' (same content_hash) or ''near'' (MinHash)';

COMMENT ON COLUMN duplicates.similarity IS 'estimated Jaccard similarity; 1.0 for exact';

COMMENT ON COLUMN duplicates.seen_at IS 'last time the duplicate was seen';

CREATE TABLE minhash_signatures (
    id BIGSERIAL NOT NULL,
    canonical_url TEXT NOT NULL,
    num_perm INTEGER NOT NULL,
    scheme VARCHAR(32) NOT NULL,
    seed INTEGER NOT NULL,
    hashvalues BYTEA NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_minhash_signatures_canonical_url UNIQUE (canonical_url)
);

COMMENT ON COLUMN minhash_signatures.scheme IS 'datasketch permutation scheme / shingle hashing version';

COMMENT ON COLUMN minhash_signatures.hashvalues IS 'little-endian unsigned ints, num_perm of them';

CREATE TABLE rejects (
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    reasons JSONB NOT NULL,
    first_rejected TIMESTAMP WITH TIME ZONE NOT NULL,
    last_rejected TIMESTAMP WITH TIME ZONE NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (url)
);

CREATE INDEX ix_rejects_site ON rejects (site);

COMMENT ON COLUMN rejects.url IS 'URL fetched';

CREATE TABLE runs (
    run_id VARCHAR(128) NOT NULL,
    sites JSONB NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE,
    stats JSONB,
    status VARCHAR(32) NOT NULL,
    PRIMARY KEY (run_id)
);

CREATE INDEX ix_runs_started_at ON runs (started_at);

CREATE TABLE schema_meta (
    key VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (key)
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
    first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    next_attempt TIMESTAMP WITH TIME ZONE,
    run_id VARCHAR(128),
    PRIMARY KEY (site, url_key)
);

CREATE INDEX ix_url_state_site_state ON url_state (site, state);

COMMENT ON COLUMN url_state.url_key IS 'URL path (and query), host-independent, as incremental runs key URLs';

COMMENT ON COLUMN url_state.url IS 'the URL last requested';

COMMENT ON COLUMN url_state.kind IS '''article'' or ''listing''';

COMMENT ON COLUMN url_state.state IS 'discovered, stored, duplicate, rejected, failed, given_up (articles); discovered, done (listings)';

COMMENT ON COLUMN url_state.reason IS 'why it was rejected or failed (the last time)';

COMMENT ON COLUMN url_state.attempts IS 'failed fetches so far (reset when stored)';

COMMENT ON COLUMN url_state.page IS 'listing page number';

COMMENT ON COLUMN url_state.next_attempt IS 'a failed URL is not requested again before this';

COMMENT ON COLUMN url_state.run_id IS 'the run that last changed the row';
