using System.Text;
using Sfu.Core.Ice;

namespace Sfu.Core.Tests.Ice;

public class IceCredentialsAndUsernameTests
{
    [Theory]
    // Typical check: our ufrag before the colon.
    [InlineData("srvUfrag:brws", "srvUfrag")]
    // Only the first colon splits; ice-chars never contain one anyway.
    [InlineData("ab:cd:ef", "ab")]
    // Empty sender part still yields our ufrag.
    [InlineData("abcd:", "abcd")]
    // No colon: not an ICE username.
    [InlineData("abcd", null)]
    // Nothing before the colon.
    [InlineData(":abcd", null)]
    // Empty value.
    [InlineData("", null)]
    public void TryGetLocalUfrag_splits_at_first_colon(string username, string? expected)
    {
        bool ok = IceUsername.TryGetLocalUfrag(Encoding.ASCII.GetBytes(username), out ReadOnlySpan<byte> local);

        Assert.Equal(expected is not null, ok);
        if (ok)
        {
            Assert.Equal(expected, Encoding.ASCII.GetString(local));
        }
    }

    [Theory]
    // Minimum lengths with every allowed character class.
    [InlineData("aB3+", "abcdefghijklmnopqrst/+", true)]
    // Ufrag of 3 characters is too short.
    [InlineData("abc", "abcdefghijklmnopqrstuv", false)]
    // Password of 21 characters is too short.
    [InlineData("abcd", "abcdefghijklmnopqrstu", false)]
    // '-' is not an ice-char.
    [InlineData("ab-d", "abcdefghijklmnopqrstuv", false)]
    // ':' would break the USERNAME syntax.
    [InlineData("abcd", "abcdefghijklmnopqrstu:", false)]
    // Non-ASCII letters are not ALPHA.
    [InlineData("abcé", "abcdefghijklmnopqrstuv", false)]
    public void Credentials_are_validated(string ufrag, string password, bool valid)
    {
        Assert.Equal(valid, IceCredentials.IsValidUfrag(ufrag) && IceCredentials.IsValidPassword(password));
        if (valid)
        {
            Assert.Equal(ufrag, new IceCredentials(ufrag, password).Ufrag);
        }
        else
        {
            Assert.Throws<ArgumentException>(() => new IceCredentials(ufrag, password));
        }
    }

    [Fact]
    public void Too_long_values_are_rejected()
    {
        Assert.False(IceCredentials.IsValidUfrag(new string('a', 257)));
        Assert.True(IceCredentials.IsValidUfrag(new string('a', 256)));
        Assert.False(IceCredentials.IsValidPassword(null));
    }

    [Fact]
    public void Generate_yields_valid_distinct_credentials()
    {
        IceCredentials a = IceCredentials.Generate();
        IceCredentials b = IceCredentials.Generate();

        Assert.True(IceCredentials.IsValidUfrag(a.Ufrag));
        Assert.True(IceCredentials.IsValidPassword(a.Password));
        Assert.NotEqual(a.Ufrag, b.Ufrag);
        Assert.NotEqual(a.Password, b.Password);
    }

    [Fact]
    public void ToString_hides_the_password()
    {
        var credentials = new IceCredentials("abcd", "secretsecretsecretsecret");

        string text = credentials.ToString();

        Assert.Contains("abcd", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }
}
