namespace Sfu.Host.Signaling;

/// <summary>A nickname: 1 to 32 visible characters after trimming.</summary>
public static class DisplayName
{
    public const int MaxLength = 32;

    public static string? Validate(string? name)
        => VisibleText.Validate(name, "Display name", MaxLength, allowLineBreaks: false);
}
