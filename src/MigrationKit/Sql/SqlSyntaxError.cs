namespace MigrationKit.Sql;

/// <summary>
/// A lexical error in a script: a construct still open at the end of the input, a malformed <c>COPY ... FROM STDIN</c>
/// data block, or a psql meta-command.
/// </summary>
/// <param name="Offset">The UTF-16 offset in the script where the construct starts.</param>
/// <param name="Position">The line and column where the construct starts.</param>
/// <param name="Message">What is wrong, naming the construct and where it starts.</param>
/// <param name="Kind">What kind of problem it is.</param>
internal sealed record SqlSyntaxError(int Offset, SqlPosition Position, string Message, SqlSyntaxErrorKind Kind = SqlSyntaxErrorKind.Unterminated);
