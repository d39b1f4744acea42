namespace Sfu.Core.Negotiation;

/// <summary>
/// Session-level a=msid-semantic: WMS [ids] as Chromium and Firefox still write it (a leftover of
/// draft-ietf-mmusic-msid; RFC 8830 dropped it, browsers did not). Ids may be "*" or stream ids.
/// </summary>
public sealed record MsidSemantic(string Semantic, IReadOnlyList<string> Ids);
