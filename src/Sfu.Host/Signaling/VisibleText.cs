using System.Text;

namespace Sfu.Host.Signaling;

/// <summary>
/// The rule every piece of text people type and others see follows (nicknames, chat lines):
/// something left after trimming, a length limit, no control characters and no bidirectional
/// embedding, override or isolate controls, which could disguise or break what the others'
/// pages show (a U+202E makes "evil.exe" read as "exe.live"). Display names follow a stricter
/// rule on top of this one (<see cref="DisplayName"/>).
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

        if (!IsWellFormed(trimmed))
        {
            return $"{subject} is not well-formed text (a lone surrogate).";
        }

        foreach (Rune rune in trimmed.EnumerateRunes())
        {
            if (Rune.IsControl(rune) && !(allowLineBreaks && rune.Value is '\n' or '\t'))
            {
                return $"{subject} may not contain control characters.";
            }

            if (IsBidiControl(rune))
            {
                return $"{subject} may not contain bidirectional controls (U+{rune.Value:X4}).";
            }
        }

        return null;
    }

    /// <summary>
    /// The explicit directional embeddings, overrides and isolates (UAX #9 §2.1–2.4) and the
    /// Arabic letter mark: they reorder the text around them.
    /// </summary>
    public static bool IsBidiControl(Rune rune)
        => rune.Value is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) or 0x061C;

    /// <summary>False when the string holds a lone surrogate, which no display can show.</summary>
    public static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out _, out int used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            i += used;
        }

        return true;
    }
}
