namespace MigrationKit;

/// <summary>What a runner does with a pending version lower than the newest applied one.</summary>
public enum OutOfOrderPolicy
{
    /// <summary>Refuse to run: the plan fails validation with <see cref="ValidationCode.OutOfOrder"/>.</summary>
    Fail = 0,

    /// <summary>Apply it, in version order, before the versions that are newer than the newest applied one.</summary>
    Apply = 1,
}
