namespace Sfu.Core.Diagnostics;

/// <summary>The kind of an RTP stream, as in the SDP m= line.</summary>
public enum MediaKind
{
    Audio,
    Video,
}
