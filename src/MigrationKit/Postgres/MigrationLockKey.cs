using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MigrationKit.Postgres;

/// <summary>
/// The advisory lock key of a history table: the first 8 bytes of SHA-256 over database, schema and table, so two
/// schemas (or two tables) of one database migrate in parallel while every runner of one table takes turns.
/// </summary>
internal static class MigrationLockKey
{
    public static long Compute(string database, string schema, string table)
    {
        string material = $"migrationkit\0{database}\0{schema}\0{table}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(material), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }
}
