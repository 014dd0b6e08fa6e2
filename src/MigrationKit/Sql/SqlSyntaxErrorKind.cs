namespace MigrationKit.Sql;

/// <summary>What kind of problem a <see cref="SqlSyntaxError"/> is.</summary>
internal enum SqlSyntaxErrorKind
{
    /// <summary>A string, quoted identifier, dollar quote or block comment still open at the end of the input.</summary>
    Unterminated,

    /// <summary>The data of a <c>COPY ... FROM STDIN</c> with no <c>\.</c> line to end it: it runs to the end of the input.</summary>
    UnterminatedCopyData,

    /// <summary>SQL after a <c>COPY ... FROM STDIN;</c> on the same line, which psql would run after the data.</summary>
    TextAfterCopy,

    /// <summary>A <c>COPY ... FROM STDIN</c> in binary format, whose data a text script cannot hold.</summary>
    BinaryCopyData,

    /// <summary>A psql meta-command such as <c>\set</c> or <c>\i</c>: not SQL, and never sent.</summary>
    MetaCommand,
}
