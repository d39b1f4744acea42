using System.Text.RegularExpressions;

namespace Sfu.Host.Signaling;

/// <summary>Room names appear in URLs and logs: letters, digits, '-' and '_', 1 to 64 of them.</summary>
public static partial class RoomName
{
    public const int MaxLength = 64;

    public static string? Validate(string? room)
    {
        if (string.IsNullOrEmpty(room))
        {
            return "Room name is required.";
        }

        if (room.Length > MaxLength)
        {
            return $"Room name is longer than {MaxLength} characters.";
        }

        return Allowed().IsMatch(room) ? null : "Room name may contain only letters, digits, '-' and '_'.";
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex Allowed();
}
