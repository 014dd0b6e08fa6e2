namespace MigrationKit.Sql;

/// <summary>What the data of a <c>COPY ... FROM STDIN</c> looks like to the server.</summary>
/// <param name="Format">The format.</param>
/// <param name="Quote">For CSV, the quote character (<c>"</c> unless <c>QUOTE</c> says otherwise).</param>
/// <param name="Escape">For CSV, the escape character (the quote character unless <c>ESCAPE</c> says otherwise).</param>
internal readonly record struct SqlCopyOptions(SqlCopyFormat Format, char Quote, char Escape);
