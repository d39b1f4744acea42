namespace Sfu.Core;

/// <summary>The &lt;media&gt; field of an m= line (RFC 8866 §5.14); <see cref="Other"/> keeps unknown kinds parseable.</summary>
public enum MediaKind
{
    Other,
    Audio,
    Video,
    Application,
}
