using System.CommandLine;
using System.Globalization;
using MigrationKit.Scaffolding;

namespace MigrationKit.Cli.Commands;

/// <summary><c>create</c>: the next migration's up and down files in the folder; no database needed.</summary>
internal static class CreateCommand
{
    public static Command Create(CommandBinder bind)
    {
        var description = new Argument<string[]>("description")
        {
            Description = "What the migration does, such as add_task_labels (words are joined with underscores).",
            Arity = ArgumentArity.OneOrMore,
        };
        var timestamp = new Option<bool>("--timestamp") { Description = "Number it with the UTC time (yyyyMMddHHmmss) instead of the next sequential version." };
        var digits = new Option<int?>("--digits")
        {
            Description = $"The digit width of a sequential version. Default: the folder's, else {MigrationScaffoldOptions.DefaultDigits}.",
            HelpName = "n",
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is >= 1 and <= 19)
                {
                    return value;
                }

                result.AddError($"--digits must be a whole number from 1 to 19, not '{text}'.");
                return null;
            },
        };
        var command = new Command("create", "Write the next migration's .up.sql and .down.sql files in the folder.") { description, timestamp, digits };
        bind(command, async (context, cancellationToken) =>
        {
            var options = new MigrationScaffoldOptions
            {
                Scheme = context.Parse.GetValue(timestamp) ? MigrationVersionScheme.Timestamp : MigrationVersionScheme.Sequential,
                Digits = context.Parse.GetValue(digits),
            };
            string text = string.Join(' ', context.Parse.GetValue(description) ?? []);
            ScaffoldedMigration created;
            try
            {
                created = await new MigrationScaffolder(context.Source, context.Env.Time).CreateAsync(text, options, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new CliUsageException(ex.Message.Replace(" (Parameter 'description')", string.Empty, StringComparison.Ordinal));
            }

            context.Log.Out($"Created {created.UpPath}");
            context.Log.Out($"Created {created.DownPath}");
            return ExitCodes.Success;
        });
        return command;
    }
}
