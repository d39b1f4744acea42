using System.Globalization;
using System.Text;

namespace Sfu.Host.Signaling;

/// <summary>
/// A nickname as others see it. It is normalized (Unicode NFKC, so a full-width "Ａｄａ" is
/// "Ada"; trimmed; runs of spaces made one), and refused when it holds anything that shows as
/// nothing or disguises what follows: control, format (zero-width, bidirectional) and other
/// default-ignorable characters, line or paragraph separators, spaces other than U+0020,
/// unassigned and private-use code points, or a pile of combining marks. Two names are the
/// same when their <see cref="Key"/> is, so "ada" cannot sit next to "Ada" in a room.
/// </summary>
public static class DisplayName
{
    public const int MaxLength = 32;

    /// <summary>Combining marks allowed on one character (Vietnamese needs two; "Zalgo" text stacks dozens).</summary>
    private const int MaxMarksInARow = 2;

    public static string? Validate(string? name) => Normalize(name, out _);

    /// <summary>The name as it will be shown, or null with <paramref name="error"/> saying why it is refused.</summary>
    public static string? Normalize(string? name, out string? error)
    {
        error = VisibleText.Validate(name, "Display name", MaxLength * 4, allowLineBreaks: false);
        if (error is not null)
        {
            return null;
        }

        string normalized = CollapseSpaces(name!.Normalize(NormalizationForm.FormKC).Trim());
        error = Refusal(normalized);
        return error is null ? normalized : null;
    }

    /// <summary>What makes two names the same: case folded (the normalized names are compared).</summary>
    public static string Key(string normalizedName)
    {
        ArgumentNullException.ThrowIfNull(normalizedName);
        return normalizedName.ToUpperInvariant().ToLowerInvariant();
    }

    /// <summary>
    /// Throws when this process cannot normalize (globalization-invariant mode makes
    /// <see cref="string.Normalize(NormalizationForm)"/> return its input): names would then
    /// compare unequal that show the same.
    /// </summary>
    public static void EnsureNormalizationWorks()
    {
        if ("\uFF21".Normalize(NormalizationForm.FormKC) != "A")
        {
            throw new InvalidOperationException(
                "Display names are compared after Unicode NFKC normalization, which needs ICU: install libicu and do not run "
                + "the server with InvariantGlobalization or DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1.");
        }
    }

    private static string? Refusal(string name)
    {
        if (name.Length == 0)
        {
            return "Display name is empty.";
        }

        if (name.Length > MaxLength)
        {
            return $"Display name is longer than {MaxLength} characters ({name.Length}).";
        }

        int marks = 0;
        bool first = true;
        foreach (Rune rune in name.EnumerateRunes())
        {
            UnicodeCategory category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark)
            {
                if (first || ++marks > MaxMarksInARow)
                {
                    return "Display name has combining marks that belong to no letter, or too many on one.";
                }
            }
            else
            {
                marks = 0;
            }

            first = false;
            string? problem = category switch
            {
                UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    => "may not contain control characters or line breaks",
                UnicodeCategory.Format
                    => $"may not contain invisible formatting characters (zero-width or bidirectional controls; U+{rune.Value:X4})",
                UnicodeCategory.SpaceSeparator when rune.Value != ' '
                    => $"may contain no space other than the ordinary one (U+{rune.Value:X4})",
                UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate
                    => $"may not contain unassigned or private-use characters (U+{rune.Value:X4})",
                _ when IsInvisible(rune) => $"may not contain characters that show as nothing (U+{rune.Value:X4})",
                _ => null,
            };
            if (problem is not null)
            {
                return "Display name " + problem + ".";
            }
        }

        return null;
    }

    /// <summary>
    /// Default-ignorable or blank code points that are not of category Cf (Unicode's
    /// DerivedCoreProperties Default_Ignorable_Code_Point): Hangul fillers, the combining
    /// grapheme joiner, Mongolian and other variation selectors, Khmer inherent vowels, and the
    /// blank Braille pattern, which all render as nothing or as a blank.
    /// </summary>
    private static bool IsInvisible(Rune rune) => rune.Value is
        0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) or 0x2800 or 0x3164
        or (>= 0xFE00 and <= 0xFE0F) or 0xFFA0 or (>= 0xE0100 and <= 0xE01EF);

    private static string CollapseSpaces(string name)
    {
        if (!name.Contains("  ", StringComparison.Ordinal))
        {
            return name;
        }

        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
