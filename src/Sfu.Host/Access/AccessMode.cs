namespace Sfu.Host.Access;

/// <summary>Who may join a room.</summary>
public enum AccessMode
{
    /// <summary>Anyone who can reach the server, under any free name; a token, when presented, is still checked.</summary>
    Open,

    /// <summary>Only holders of a valid join token for that room; the lobby lists no rooms.</summary>
    Token,
}
