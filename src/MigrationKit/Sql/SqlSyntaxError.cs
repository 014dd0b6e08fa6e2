namespace MigrationKit.Sql;

/// <summary>A lexical error in a script: a construct that is still open at the end of the input.</summary>
/// <param name="Offset">The UTF-16 offset in the script where the construct starts.</param>
/// <param name="Position">The line and column where the construct starts.</param>
/// <param name="Message">What is wrong, naming the construct and where it starts.</param>
internal sealed record SqlSyntaxError(int Offset, SqlPosition Position, string Message);
