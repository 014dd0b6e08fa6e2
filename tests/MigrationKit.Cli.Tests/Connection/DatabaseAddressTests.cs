using MigrationKit.Cli.Connection;
using MigrationKit.Cli.Tests.Support;
using Npgsql;

namespace MigrationKit.Cli.Tests.Connection;

/// <summary>The URL parser, called directly: unit tests of no particular build of the tool.</summary>
[Category(CliTarget.InProcessOnly)]
public sealed class DatabaseAddressTests
{
    // URL, then the Npgsql fields it must become: host, port, database, user, password, SSL mode.
    private static readonly object?[][] Urls =
    [
        ["postgres://planner:secret@localhost:5432/planner?sslmode=disable", "localhost", 5432, "planner", "planner", "secret", SslMode.Disable],
        ["postgresql://planner:secret@db.example.com:6543/planner", "db.example.com", 6543, "planner", "planner", "secret", SslMode.Prefer],
        ["POSTGRES://planner:secret@localhost/planner", "localhost", 5432, "planner", "planner", "secret", SslMode.Prefer],
        ["postgres://localhost/planner", "localhost", 5432, "planner", null, null, SslMode.Prefer],
        ["postgres://planner@localhost", "localhost", 5432, null, "planner", null, SslMode.Prefer],
        ["postgres://planner:@localhost/planner", "localhost", 5432, "planner", "planner", null, SslMode.Prefer],
        ["postgres://localhost:5433", "localhost", 5433, null, null, null, SslMode.Prefer],
        ["postgres://", null, 5432, null, null, null, SslMode.Prefer],
        ["postgres:///planner", null, 5432, "planner", null, null, SslMode.Prefer],
        ["postgres://p%40nner:s%3Ac%2Fr%40t%25%23@localhost/my%20db", "localhost", 5432, "my db", "p@nner", "s:c/r@t%#", SslMode.Prefer],
        ["postgres://planner:p%C3%A4ss@localhost/planner", "localhost", 5432, "planner", "planner", "päss", SslMode.Prefer],
        ["postgres://planner:secret@[::1]:5433/planner", "::1", 5433, "planner", "planner", "secret", SslMode.Prefer],
        ["postgres://planner:secret@[fe80::1%25eth0]/planner", "fe80::1%eth0", 5432, "planner", "planner", "secret", SslMode.Prefer],
        ["postgres://%2Fvar%2Frun%2Fpostgresql/planner", "/var/run/postgresql", 5432, "planner", null, null, SslMode.Prefer],
        ["postgres:///planner?host=/tmp&port=5439&user=me&password=pw", "/tmp", 5439, "planner", "me", "pw", SslMode.Prefer],
        ["postgres://h/planner?sslmode=require", "h", 5432, "planner", null, null, SslMode.Require],
        ["postgres://h/planner?sslmode=verify-ca", "h", 5432, "planner", null, null, SslMode.VerifyCA],
        ["postgres://h/planner?sslmode=verify-full", "h", 5432, "planner", null, null, SslMode.VerifyFull],
        ["postgres://h/planner?sslmode=allow", "h", 5432, "planner", null, null, SslMode.Allow],
        ["postgres://h/planner?sslmode=prefer", "h", 5432, "planner", null, null, SslMode.Prefer],
    ];

    // Malformed URLs, each with its password "secret" somewhere it must not show.
    private static readonly string[][] MalformedUrls =
    [
        ["postgres://planner:secret@localhost:99999/planner", "port '99999'"],
        ["postgres://planner:secret@localhost:0/planner", "port '0'"],
        ["postgres://planner:secret@localhost:abc/planner", "port 'abc'"],
        ["postgres://planner:secret@localhost:/planner", "port ''"],
        ["postgres://planner:se%ZZcret@localhost/planner", "password has a malformed percent-encoding"],
        ["postgres://pl%G1nner:secret@localhost/planner", "user name 'pl%G1nner'"],
        ["postgres://planner:secret@[::1/planner", "no closing ']'"],
        ["postgres://planner:secret@[::1]x/planner", "must be :port"],
        ["postgres://planner:secret@::1/planner", "IPv6 address in brackets"],
        ["postgres://planner:secret@localhost/planner?sslmode=on", "sslmode 'on'"],
        ["postgres://planner:secret@localhost/planner?nosuchparameter=1", "'nosuchparameter'"],
        ["postgres://planner:secret@localhost/planner?sslmode", "must be name=value"],
        ["postgres://planner:secret@localhost/planner/extra", "single database name"],
        ["postgres://planner:secret@localhost/planner#x", "fragment"],
        ["postgres://planner:secret@localhost/planner?connect_timeout=soon", "connect_timeout 'soon'"],
        ["mysql://planner:secret@localhost/planner", "scheme 'mysql'"],
        ["postgres://planner:sec/ret@localhost/planner", "port 'sec'"],
    ];

    [TestCaseSource(nameof(Urls))]
    public void A_url_becomes_the_npgsql_connection_string_it_means(string url, string? host, int port, string? database, string? user, string? password, SslMode sslMode)
    {
        DatabaseTarget target = DatabaseAddress.Parse(url);

        var parsed = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        parsed.Host.Should().Be(host);
        parsed.Port.Should().Be(port);
        parsed.Database.Should().Be(database);
        parsed.Username.Should().Be(user);
        parsed.Password.Should().Be(password);
        parsed.SslMode.Should().Be(sslMode);
        target.Password.Should().Be(password);
    }

    [TestCaseSource(nameof(MalformedUrls))]
    public void A_malformed_url_is_a_usage_error_that_repeats_it_with_the_password_masked(string url, string reason)
    {
        Action parse = () => DatabaseAddress.Parse(url);

        string message = parse.Should().Throw<CliUsageException>().Which.Message;
        message.Should().Contain(reason);
        message.Should().Contain(":***@").And.NotContain("secret").And.NotContain("sec/ret").And.NotContain("se%ZZcret");
    }

    [Test]
    public void Libpq_parameters_map_onto_npgsql_keywords_and_npgsql_keywords_pass_through()
    {
        DatabaseTarget target = DatabaseAddress.Parse(
            "postgres://h/db?connect_timeout=7&application_name=deploy%20job&search_path=app,public&options=-c%20work_mem%3D64MB" +
            "&target_session_attrs=primary&sslrootcert=/certs/root.crt&sslcert=/certs/c.crt&sslkey=/certs/c.key&Command%20Timeout=90");

        var parsed = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        parsed.Timeout.Should().Be(7);
        parsed.ApplicationName.Should().Be("deploy job");
        parsed.SearchPath.Should().Be("app,public");
        parsed.Options.Should().Be("-c work_mem=64MB");
        parsed.TargetSessionAttributes.Should().Be("primary");
        parsed.RootCertificate.Should().Be("/certs/root.crt");
        parsed.SslCertificate.Should().Be("/certs/c.crt");
        parsed.SslKey.Should().Be("/certs/c.key");
        parsed.CommandTimeout.Should().Be(90);
    }

    [Test]
    public void Golang_migrate_parameters_set_the_table_and_statement_timeout_and_unknown_ones_are_ignored_with_a_warning()
    {
        DatabaseTarget target = DatabaseAddress.Parse("postgres://h/db?x-migrations-table=history&x-statement-timeout=1500&x-multi-statement=true");

        target.TableFromUrl.Should().Be("history");
        target.StatementTimeoutFromUrl.Should().Be(TimeSpan.FromMilliseconds(1500));
        target.Warnings.Should().ContainSingle().Which.Should().Contain("x-multi-statement");
        target.ConnectionString.Should().NotContain("x-");
    }

    [Test]
    public void Several_hosts_become_an_npgsql_host_list()
    {
        DatabaseTarget target = DatabaseAddress.Parse("postgres://u:p@first:5432,second:5433,[::1]/db?target_session_attrs=read-write");

        new NpgsqlConnectionStringBuilder(target.ConnectionString).Host.Should().Be("first:5432,second:5433,[::1]");
        target.ToString().Should().Contain("first:5432,second:5433,[::1]");
    }

    [Test]
    public void An_npgsql_connection_string_is_passed_through()
    {
        DatabaseTarget target = DatabaseAddress.Parse("Host=db;Port=6000;Database=planner;Username=planner;Password=secret;Include Error Detail=true");

        var parsed = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        (parsed.Host, parsed.Port, parsed.Database, parsed.Username, parsed.Password, parsed.IncludeErrorDetail)
            .Should().Be(("db", 6000, "planner", "planner", "secret", true));
        target.ToString().Should().Be("database \"planner\" on db:6000 as planner");
    }

    [TestCase("Host=db;Password=secret;Port=many")]
    [TestCase("Host=db;Passwd=secret")]
    [TestCase("Password=secret;;=x")]
    [TestCase("just some words with secret")]
    public void A_malformed_connection_string_is_a_usage_error_that_does_not_repeat_it(string value)
    {
        Action parse = () => DatabaseAddress.Parse(value);

        parse.Should().Throw<CliUsageException>().Which.Message.Should().Contain("neither a postgres:// URL nor a valid Npgsql connection string").And.NotContain("secret");
    }

    [Test]
    public void Pooling_is_off_unless_asked_for_because_a_command_connects_once()
    {
        new NpgsqlConnectionStringBuilder(DatabaseAddress.Parse("postgres://h/db").ConnectionString).Pooling.Should().BeFalse();
        new NpgsqlConnectionStringBuilder(DatabaseAddress.Parse("postgres://h/db?pooling=true").ConnectionString).Pooling.Should().BeTrue();
        new NpgsqlConnectionStringBuilder(DatabaseAddress.Parse("Host=h;Pooling=true").ConnectionString).Pooling.Should().BeTrue();
    }

    [TestCase("postgres://planner:secret@localhost/planner", "postgres://planner:***@localhost/planner")]
    [TestCase("postgres://planner:s@cr/et?x@localhost/planner", "postgres://planner:***@localhost/planner")]
    [TestCase("postgres://planner@localhost/planner", "postgres://planner@localhost/planner")]
    [TestCase("postgres://localhost/planner?user=me&password=secret&sslpassword=secret2", "postgres://localhost/planner?user=me&password=***&sslpassword=***")]
    [TestCase("postgres://u:secret@h/db?application_name=a@b", "postgres://u:***@b")]
    public void Masking_hides_every_password_and_overmasks_rather_than_show_part_of_one(string url, string masked) =>
        DatabaseAddress.MaskPassword(url).Should().Be(masked);

    [Test]
    public void The_description_of_a_target_names_host_port_database_and_user_but_never_the_password()
    {
        DatabaseAddress.Parse("postgres://planner:secret@localhost:5432/planner").ToString()
            .Should().Be("database \"planner\" on localhost:5432 as planner");
        DatabaseAddress.Parse("postgres://[::1]/planner").ToString().Should().Be("database \"planner\" on [::1]:5432");
    }
}
