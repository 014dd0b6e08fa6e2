using MigrationKit.Sources;
using MigrationKit.Sql;

namespace MigrationKit;

/// <summary>
/// The SQL text of one script, where it came from, and its checksum.
/// </summary>
/// <remarks>
/// The text is normalised when the script is created: a leading UTF-8 byte order mark is removed and CRLF line
/// endings become LF, so that a checkout with Windows line endings never looks like a changed script.
/// </remarks>
public sealed class MigrationScript
{
    private readonly SqlSourceMap? _map;
    private SqlScript? _parsed;

    /// <summary>Creates a script from its text.</summary>
    /// <param name="sql">The SQL text.</param>
    /// <param name="origin">Where the text came from: a file path or a resource name. It is used in every message about the script.</param>
    public MigrationScript(string sql, string origin)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(origin);
        Sql = Normalize(sql);
        Origin = origin;
        Checksum = ComputeChecksumOfNormalized(Sql);
    }

    /// <summary>
    /// Creates a script from text that is already normalised and its checksum, as the built-in sources do; with a
    /// <paramref name="map"/> when the text is another script's with its placeholders replaced (the checksum stays the
    /// other script's, and positions are reported in its text).
    /// </summary>
    internal MigrationScript(string normalizedSql, string origin, string checksum, SqlSourceMap? map = null)
    {
        Sql = normalizedSql;
        Origin = origin;
        Checksum = checksum;
        _map = map;
    }

    /// <summary>Gets the normalised SQL text.</summary>
    public string Sql { get; }

    /// <summary>Gets where the script came from: a file path or a resource name.</summary>
    public string Origin { get; }

    /// <summary>Gets the SHA-256 of the normalised text (UTF-8), as 64 lowercase hexadecimal characters.</summary>
    public string Checksum { get; }

    /// <summary>
    /// Gets a value indicating whether the script runs outside a transaction, statement by statement, under the
    /// dirty protocol: it carries <c>-- migrationkit:no-transaction</c>, contains a statement PostgreSQL refuses in a
    /// transaction block (such as <c>CREATE INDEX CONCURRENTLY</c>), or controls transactions itself beyond a
    /// leading <c>BEGIN</c> and trailing <c>COMMIT</c>.
    /// </summary>
    public bool RunsOutsideTransaction => Parsed.RunsOutsideTransaction;

    /// <summary>
    /// Gets why the script runs outside a transaction, for logs and plans, or <see langword="null"/> when it runs in one.
    /// </summary>
    public string? OutsideTransactionReason => Parsed.OutsideTransactionReason;

    /// <summary>Gets the parsed script (statements, transaction shape, lexer errors), computed once.</summary>
    internal SqlScript Parsed => _parsed ??= SqlScript.Parse(Sql, _map);

    /// <summary>
    /// Computes the checksum MigrationKit records for a script text: SHA-256, lowercase hexadecimal, of the UTF-8
    /// bytes of the text after removing a leading byte order mark and turning CRLF into LF.
    /// </summary>
    /// <param name="sql">The script text.</param>
    /// <returns>64 lowercase hexadecimal characters.</returns>
    public static string ComputeChecksum(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return ComputeChecksumOfNormalized(Normalize(sql));
    }

    /// <inheritdoc/>
    public override string ToString() => Origin;

    internal static string Normalize(string sql) => ScriptText.Normalize(sql);

    private static string ComputeChecksumOfNormalized(string sql) => ScriptText.Checksum(sql);
}
