namespace Sfu.Host.Signaling;

/// <summary>
/// The rule every piece of text people type and others see follows (nicknames, chat lines):
/// something left after trimming, a length limit, and no control characters, which could
/// disguise or break what the others' pages show.
/// </summary>
public static class VisibleText
{
    /// <summary>Null when <paramref name="text"/> may be used, else the reason, naming <paramref name="subject"/>.</summary>
    /// <param name="text">What the client sent.</param>
    /// <param name="subject">How the reason names it, e.g. "Display name".</param>
    /// <param name="maxLength">The most characters allowed after trimming.</param>
    /// <param name="allowLineBreaks">Whether line feeds and tabs count as text (chat) or not (names).</param>
    public static string? Validate(string? text, string subject, int maxLength, bool allowLineBreaks)
    {
        string trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            return $"{subject} is empty.";
        }

        if (trimmed.Length > maxLength)
        {
            return $"{subject} is longer than {maxLength} characters ({trimmed.Length}).";
        }

        foreach (char c in trimmed)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\t'))
            {
                return $"{subject} may not contain control characters.";
            }
        }

        return null;
    }
}
