namespace Sfu.Bots;

/// <summary>The state of one candidate pair in the check list (RFC 8445 §6.1.2.6).</summary>
internal enum IcePairState
{
    Waiting,
    InProgress,
    Succeeded,
    Failed,
}
