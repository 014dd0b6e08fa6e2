namespace MigrationKit.Testing.Internal;

/// <summary>
/// The catalog queries of a <see cref="CatalogSnapshot"/>, one per kind of object, in one place. They run with an
/// empty <c>search_path</c>, so every name PostgreSQL prints (<c>pg_get_*def</c>, <c>format_type</c>) is
/// schema-qualified whatever the migrations set.
/// </summary>
/// <remarks>
/// Every object query returns the same columns: kind, schema, name, args (a function's argument types), owner_kind,
/// owner_schema, owner_name (the table of a column, index, constraint, trigger, policy or rule; the domain of a domain
/// constraint; the table owning a sequence), definition, and classid, objid, objsubid: the object's address, used only
/// to attach comments, never part of the snapshot. <c>$1</c> is the history table's schema and <c>$2</c> the names of
/// the tables left out there. Written for PostgreSQL 12 and later.
/// </remarks>
internal static class CatalogSql
{
    /// <summary>Schemas that hold no user objects: the catalogs, TOAST and temporary schemas.</summary>
    private const string UserSchema = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

    /// <summary>Relations left out: the history tables, and relations that belong to an extension.</summary>
    private const string Excluded = """
        WITH excluded AS (
            SELECT c.oid
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = ANY($2)
            UNION ALL
            SELECT d.objid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
        )
        """;

    /// <summary>The kind of a relation as an owner: what its children name it (<c>on "public"."tasks"</c>) after.</summary>
    private const string OwnerKind = """
        CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END
        """;

    public const string Schemas = $"""
        SELECT 'schema', NULL::text, n.nspname::text, NULL::text, NULL::text, NULL::text, NULL::text, ''::text,
               'pg_namespace'::regclass::oid, n.oid, 0
        FROM pg_namespace n
        WHERE {UserSchema}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
        """;

    public const string Extensions = """
        SELECT 'extension', NULL::text, e.extname::text, NULL::text, NULL::text, NULL::text, NULL::text,
               'version ' || e.extversion || ' in schema ' || quote_ident(n.nspname),
               'pg_extension'::regclass::oid, e.oid, 0
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        """;

    /// <summary>Tables, partitioned tables, views, materialized views, sequences and foreign tables.</summary>
    public const string Relations = $"""
        {Excluded}
        SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                              WHEN 'f' THEN 'foreign table' ELSE 'table' END,
               n.nspname::text, c.relname::text, NULL::text,
               owner.kind, owner.schema, owner.name,
               CASE
                 WHEN c.relkind IN ('r', 'p') THEN concat_ws(' ',
                   CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED' END,
                   CASE WHEN c.relkind = 'p' THEN 'PARTITION BY ' || pg_get_partkeydef(c.oid) END,
                   (SELECT 'PARTITION OF ' || quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) || ' '
                           || pg_get_expr(c.relpartbound, c.oid)
                    FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                    WHERE i.inhrelid = c.oid AND c.relispartition),
                   (SELECT 'INHERITS (' || string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', ' ORDER BY i.inhseqno) || ')'
                    FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                    WHERE i.inhrelid = c.oid AND NOT c.relispartition
                    HAVING count(*) > 0),
                   (SELECT 'USING ' || quote_ident(am.amname) FROM pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap'),
                   'WITH (' || array_to_string(c.reloptions, ', ') || ')',
                   CASE WHEN c.relrowsecurity THEN 'ROW LEVEL SECURITY' END,
                   CASE WHEN c.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END,
                   CASE c.relreplident WHEN 'n' THEN 'REPLICA IDENTITY NOTHING' WHEN 'f' THEN 'REPLICA IDENTITY FULL'
                                       WHEN 'i' THEN 'REPLICA IDENTITY USING INDEX' END)
                 WHEN c.relkind IN ('v', 'm') THEN concat_ws(E'\n',
                   'WITH (' || array_to_string(c.reloptions, ', ') || ')',
                   (SELECT 'USING ' || quote_ident(am.amname) FROM pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap'),
                   rtrim(pg_get_viewdef(c.oid), E' \n'))
                 WHEN c.relkind = 'S' THEN (
                   SELECT concat_ws(' ', format_type(s.seqtypid, NULL),
                     CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED' END,
                     'START ' || s.seqstart, 'INCREMENT ' || s.seqincrement, 'MINVALUE ' || s.seqmin,
                     'MAXVALUE ' || s.seqmax, 'CACHE ' || s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' END,
                     CASE owner.deptype WHEN 'a' THEN 'OWNED BY ' WHEN 'i' THEN 'IDENTITY OF ' END
                       || quote_ident(owner.schema) || '.' || quote_ident(owner.name) || '.' || quote_ident(owner.column_name))
                   FROM pg_sequence s WHERE s.seqrelid = c.oid)
                 ELSE (
                   SELECT 'SERVER ' || quote_ident(fs.srvname)
                          || coalesce(' OPTIONS (' || array_to_string(ft.ftoptions, ', ') || ')', '')
                   FROM pg_foreign_table ft JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
                   WHERE ft.ftrelid = c.oid)
               END,
               'pg_class'::regclass::oid, c.oid, 0
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN LATERAL (
            SELECT d.deptype, d.refobjid AS oid, 'table'::text AS kind, own.nspname::text AS schema,
                   oc.relname::text AS name, a.attname::text AS column_name
            FROM pg_depend d
            JOIN pg_class oc ON oc.oid = d.refobjid
            JOIN pg_namespace own ON own.oid = oc.relnamespace
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
              AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LIMIT 1
        ) owner ON true
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {UserSchema}
          AND c.oid NOT IN (SELECT oid FROM excluded)
          AND (owner.oid IS NULL OR owner.oid NOT IN (SELECT oid FROM excluded))
        """;

    /// <summary>Columns of tables and foreign tables: type, collation, nullability, default, identity, generation.</summary>
    public const string Columns = $"""
        {Excluded}
        SELECT 'column', n.nspname::text, a.attname::text, NULL::text,
               {OwnerKind}, n.nspname::text, c.relname::text,
               concat_ws(' ', format_type(a.atttypid, a.atttypmod),
                 (SELECT 'COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                  FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation),
                 CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'NULL' END,
                 CASE WHEN a.attgenerated = 's' THEN 'GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                      WHEN ad.adbin IS NOT NULL THEN 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END,
                 CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                                    WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END),
               'pg_class'::regclass::oid, c.oid, a.attnum::int
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND {UserSchema}
          AND c.oid NOT IN (SELECT oid FROM excluded)
        """;

    /// <summary>Constraints of tables and domains, as <c>pg_get_constraintdef</c> prints them (with NOT VALID and DEFERRABLE).</summary>
    public const string Constraints = $"""
        {Excluded}
        SELECT 'constraint', n.nspname::text, con.conname::text, NULL::text,
               CASE WHEN con.contypid <> 0 THEN 'domain' ELSE {OwnerKind} END,
               coalesce(cn.nspname, tn.nspname)::text, coalesce(c.relname, t.typname)::text,
               pg_get_constraintdef(con.oid),
               'pg_constraint'::regclass::oid, con.oid, 0
        FROM pg_constraint con
        JOIN pg_namespace n ON n.oid = con.connamespace
        LEFT JOIN pg_class c ON c.oid = con.conrelid
        LEFT JOIN pg_namespace cn ON cn.oid = c.relnamespace
        LEFT JOIN pg_type t ON t.oid = con.contypid
        LEFT JOIN pg_namespace tn ON tn.oid = t.typnamespace
        WHERE {UserSchema} AND (con.conrelid <> 0 OR con.contypid <> 0)
          AND con.conrelid NOT IN (SELECT oid FROM excluded)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_type'::regclass AND d.objid = con.contypid AND d.deptype = 'e')
        """;

    /// <summary>Indexes, as <c>pg_get_indexdef</c> prints them, and whether they are valid.</summary>
    public const string Indexes = $"""
        {Excluded}
        SELECT 'index', n.nspname::text, ic.relname::text, NULL::text,
               {OwnerKind}, tn.nspname::text, c.relname::text,
               pg_get_indexdef(i.indexrelid)
                 || CASE WHEN NOT i.indisvalid THEN ' (INVALID)' ELSE '' END
                 || CASE WHEN i.indisclustered THEN ' (CLUSTER)' ELSE '' END
                 || CASE WHEN i.indisreplident THEN ' (REPLICA IDENTITY)' ELSE '' END,
               'pg_class'::regclass::oid, ic.oid, 0
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = ic.relnamespace
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace tn ON tn.oid = c.relnamespace
        WHERE {UserSchema}
          AND i.indrelid NOT IN (SELECT oid FROM excluded) AND i.indexrelid NOT IN (SELECT oid FROM excluded)
        """;

    /// <summary>Functions, procedures and aggregates: signature and <c>pg_get_functiondef</c> (body, language, volatility, settings).</summary>
    public const string Functions = $"""
        SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
               n.nspname::text, p.proname::text, oidvectortypes(p.proargtypes),
               NULL::text, NULL::text, NULL::text,
               CASE WHEN p.prokind = 'a' THEN (
                   SELECT concat_ws(', ',
                     'SFUNC = ' || ag.aggtransfn::regproc::text,
                     'STYPE = ' || format_type(ag.aggtranstype, NULL),
                     CASE WHEN ag.aggfinalfn <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::regproc::text END,
                     CASE WHEN ag.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || ag.aggcombinefn::regproc::text END,
                     'INITCOND = ' || quote_literal(ag.agginitval),
                     CASE WHEN ag.aggsortop <> 0 THEN 'SORTOP = ' || ag.aggsortop::regoperator::text END)
                   FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
                 ELSE rtrim(pg_get_functiondef(p.oid), E' \n') END,
               'pg_proc'::regclass::oid, p.oid, 0
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {UserSchema}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        """;

    /// <summary>User triggers (not the internal ones behind foreign keys), with their enabled state.</summary>
    public const string Triggers = $"""
        {Excluded}
        SELECT 'trigger', n.nspname::text, tg.tgname::text, NULL::text,
               {OwnerKind}, n.nspname::text, c.relname::text,
               pg_get_triggerdef(tg.oid)
                 || CASE tg.tgenabled WHEN 'D' THEN ' (DISABLED)' WHEN 'R' THEN ' (ENABLE REPLICA)'
                                      WHEN 'A' THEN ' (ENABLE ALWAYS)' ELSE '' END,
               'pg_trigger'::regclass::oid, tg.oid, 0
        FROM pg_trigger tg
        JOIN pg_class c ON c.oid = tg.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT tg.tgisinternal AND {UserSchema} AND c.oid NOT IN (SELECT oid FROM excluded)
        """;

    /// <summary>Enum, domain, composite, range and base types; not array types, nor the row types of tables.</summary>
    public const string Types = $"""
        SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END,
               n.nspname::text, t.typname::text, NULL::text, NULL::text, NULL::text, NULL::text,
               CASE t.typtype
                 WHEN 'e' THEN 'ENUM (' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                                     FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
                 WHEN 'd' THEN concat_ws(' ', format_type(t.typbasetype, t.typtypmod),
                   (SELECT 'COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace JOIN pg_type bt ON bt.oid = t.typbasetype
                    WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation),
                   CASE WHEN t.typnotnull THEN 'NOT NULL' END,
                   'DEFAULT ' || pg_get_expr(t.typdefaultbin, 0))
                 WHEN 'c' THEN 'AS (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                                   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
                 WHEN 'r' THEN (SELECT 'RANGE (SUBTYPE = ' || format_type(r.rngsubtype, NULL)
                                       || CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text ELSE '' END || ')'
                                FROM pg_range r WHERE r.rngtypid = t.oid)
                 ELSE concat_ws(', ', 'BASE (INPUT = ' || t.typinput::regproc::text, 'OUTPUT = ' || t.typoutput::regproc::text,
                                'INTERNALLENGTH = ' || t.typlen || ')')
               END,
               'pg_type'::regclass::oid, t.oid, 0
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE {UserSchema}
          AND (t.typtype IN ('e', 'd', 'r', 'b')
               OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
          AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
        """;

    /// <summary>Row-level security policies.</summary>
    public const string Policies = $"""
        {Excluded}
        SELECT 'policy', n.nspname::text, pol.polname::text, NULL::text,
               {OwnerKind}, n.nspname::text, c.relname::text,
               concat_ws(' ',
                 CASE WHEN pol.polpermissive THEN 'AS PERMISSIVE' ELSE 'AS RESTRICTIVE' END,
                 'FOR ' || CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                           WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                 'TO ' || (SELECT string_agg(role_name, ', ' ORDER BY role_name)
                           FROM (SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END AS role_name
                                 FROM unnest(pol.polroles) AS r) roles),
                 'USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')',
                 'WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')'),
               'pg_policy'::regclass::oid, pol.oid, 0
        FROM pg_policy pol
        JOIN pg_class c ON c.oid = pol.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {UserSchema} AND c.oid NOT IN (SELECT oid FROM excluded)
        """;

    /// <summary>Rules (not the <c>_RETURN</c> rule that makes a view).</summary>
    public const string Rules = $"""
        {Excluded}
        SELECT 'rule', n.nspname::text, r.rulename::text, NULL::text,
               {OwnerKind}, n.nspname::text, c.relname::text,
               rtrim(pg_get_ruledef(r.oid), E' \n'),
               'pg_rewrite'::regclass::oid, r.oid, 0
        FROM pg_rewrite r
        JOIN pg_class c ON c.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN' AND {UserSchema} AND c.oid NOT IN (SELECT oid FROM excluded)
        """;

    /// <summary>Extended statistics objects (their definitions; never the statistics gathered).</summary>
    public const string Statistics = $"""
        {Excluded}
        SELECT 'statistics', n.nspname::text, s.stxname::text, NULL::text,
               {OwnerKind}, cn.nspname::text, c.relname::text,
               pg_get_statisticsobjdef(s.oid),
               'pg_statistic_ext'::regclass::oid, s.oid, 0
        FROM pg_statistic_ext s
        JOIN pg_namespace n ON n.oid = s.stxnamespace
        JOIN pg_class c ON c.oid = s.stxrelid
        JOIN pg_namespace cn ON cn.oid = c.relnamespace
        WHERE {UserSchema} AND c.oid NOT IN (SELECT oid FROM excluded)
        """;

    /// <summary>
    /// Comments on user objects (OIDs from 16384, FirstNormalObjectId, up); attached to the objects above by their
    /// address, so comments on objects left out are left out too.
    /// </summary>
    public const string Comments = """
        SELECT d.classoid, d.objoid, d.objsubid, d.description
        FROM pg_description d
        WHERE d.objoid >= 16384
        """;

    /// <summary>Every object query, in the order the snapshot reads them; <see cref="Comments"/> comes after them.</summary>
    public static readonly IReadOnlyList<(string Sql, bool UsesScope)> ObjectQueries =
    [
        (Schemas, false),
        (Extensions, false),
        (Relations, true),
        (Columns, true),
        (Constraints, true),
        (Indexes, true),
        (Functions, false),
        (Triggers, true),
        (Types, false),
        (Policies, true),
        (Rules, true),
        (Statistics, true),
    ];
}
