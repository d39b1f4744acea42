namespace Sfu.Core.Negotiation;

/// <summary>An offered m= section that an answer rejects, and the reason in words a person can act on.</summary>
public sealed record RejectedSection(string Mid, string Kind, string Reason);
