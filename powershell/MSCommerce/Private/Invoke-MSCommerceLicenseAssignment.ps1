function Invoke-MSCommerceLicenseAssignment {
    <#
    .SYNOPSIS
        Assigns or unassigns licenses of one subscription: the request Add- and Remove-MSCommerceSubscriptionUser
        share.

    .DESCRIPTION
        Sends POST /v1.0/subscriptions/{subscriptionId}/assignUsers or .../unassignUsers with {"userIds"}, and
        If-Match when -ETag is given, and returns the subscription as it now is. Errors are thrown to the caller,
        which reports them for its own command.

    .PARAMETER Action
        assignUsers or unassignUsers.

    .PARAMETER SubscriptionId
        The subscription.

    .PARAMETER UserId
        The users' object IDs.

    .PARAMETER ETag
        The subscription's version as read, or empty.

    .PARAMETER Token
        An access token, or empty for the connection's.

    .PARAMETER ErrorContext
        The first part of an error's message.

    .EXAMPLE
        Invoke-MSCommerceLicenseAssignment -Action 'assignUsers' -SubscriptionId $id -UserId $ann -ErrorContext 'Failed'

        Assigns a license to Ann.

    .OUTPUTS
        MSCommerce.Subscription.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(Mandatory)]
        [ValidateSet('assignUsers', 'unassignUsers')]
        [string]$Action,

        [Parameter(Mandatory)]
        [string]$SubscriptionId,

        [Parameter(Mandatory)]
        [string[]]$UserId,

        [Parameter()]
        [string]$ETag,

        [Parameter()]
        [string]$Token,

        [Parameter(Mandatory)]
        [string]$ErrorContext
    )

    $splatRest = @{
        PathParameter = @{ subscriptionId = $SubscriptionId }
        Body          = @{ userIds = @($UserId) }
        Token         = $Token
        ErrorContext  = $ErrorContext
        TargetObject  = $SubscriptionId
    }
    if ($ETag) {
        $splatRest['IfMatch'] = $ETag
    }
    # Each path a literal, so that the static contract test can check it against the OpenAPI document.
    if ($Action -eq 'assignUsers') {
        $changed = Invoke-MSCommerceRestMethod -Method 'POST' -Path '/v1.0/subscriptions/{subscriptionId}/assignUsers' @splatRest
    }
    else {
        $changed = Invoke-MSCommerceRestMethod -Method 'POST' -Path '/v1.0/subscriptions/{subscriptionId}/unassignUsers' @splatRest
    }
    ConvertTo-MSCommerceSubscription -InputObject $changed
}
