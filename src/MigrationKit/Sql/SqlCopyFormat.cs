namespace MigrationKit.Sql;

/// <summary>The format of the data of a <c>COPY ... FROM STDIN</c> statement.</summary>
internal enum SqlCopyFormat
{
    /// <summary>PostgreSQL's text format (the default, and what pg_dump writes): tab-separated, <c>\N</c> for NULL.</summary>
    Text,

    /// <summary>Comma-separated values, with quoting.</summary>
    Csv,

    /// <summary>PostgreSQL's binary format, which a text script cannot hold.</summary>
    Binary,
}
