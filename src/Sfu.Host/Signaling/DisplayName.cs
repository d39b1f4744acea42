namespace Sfu.Host.Signaling;

/// <summary>A nickname: 1 to 32 visible characters after trimming.</summary>
public static class DisplayName
{
    public const int MaxLength = 32;

    public static string? Validate(string? name)
    {
        string trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            return "Display name is required.";
        }

        if (trimmed.Length > MaxLength)
        {
            return $"Display name is longer than {MaxLength} characters.";
        }

        foreach (char c in trimmed)
        {
            if (char.IsControl(c))
            {
                return "Display name may not contain control characters.";
            }
        }

        return null;
    }
}
