function Get-MSCommercePurchase {
    <#
    .SYNOPSIS
        Lists the caller's own self-service purchases and trials.

    .DESCRIPTION
        Calls GET /v1.0/me/subscriptions: the self-service subscriptions the signed-in user bought or tried, as
        MSCommerce.Subscription objects. Any signed-in user may call it; an administrator sees the organization's
        subscriptions with Get-MSCommerceSubscription instead.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommercePurchase | Format-Table -Property ProductName, Quantity, AssignedCount, Status

        Shows what the signed-in user bought.

    .EXAMPLE
        Get-MSCommercePurchase | Get-MSCommerceSubscription

        Reads each purchase again with the users who hold its licenses.

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.Subscription.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter()]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    $splatRest = @{
        Method         = 'GET'
        Path           = '/v1.0/me/subscriptions'
        Token          = $Token
        ErrorContext   = 'Failed to retrieve your purchases'
        FollowNextLink = $true
    }
    try {
        $purchases = @(Invoke-MSCommerceRestMethod @splatRest)
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    foreach ($subscription in $purchases) {
        ConvertTo-MSCommerceSubscription -InputObject $subscription
    }
}
