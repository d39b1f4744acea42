using Microsoft.AspNetCore.SignalR;

namespace Sfu.Hostile.Tests;

/// <summary>What a refused hub call told the client.</summary>
internal static class HubErrors
{
    /// <summary>Runs the call, which must be refused; returns the message the client got, checked to carry no stack trace.</summary>
    public static async Task<string> RefusedAsync(Func<Task> call)
    {
        HubException refused = await Assert.ThrowsAsync<HubException>(call);
        Assert.DoesNotContain("   at ", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", refused.Message, StringComparison.Ordinal);
        return refused.Message;
    }
}
