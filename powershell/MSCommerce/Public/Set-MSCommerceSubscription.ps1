function Set-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Changes a subscription's quantity or its recurring billing (auto-renewal).

    .DESCRIPTION
        Calls PATCH /v1.0/subscriptions/{subscriptionId} with {"quantity"?, "autoRenew"?}: at least one, checked
        before anything is sent, applied together or not at all. The quantity is never below the licenses
        assigned (the service refuses it); a trial without a payment method cannot renew (RenewalNotOffered).
        A higher quantity is billed, so PowerShell asks before each subscription (ConfirmImpact High); -WhatIf
        shows the change, -Confirm:$false skips the question. Subscriptions piped in bind by SubscriptionId and
        ETag, so that each changes only if it has not changed since it was listed. The purchaser changes a
        self-service subscription; a Global or Billing Administrator a central one. Each change is audited
        (QuantityChanged, AutoRenewChanged).

    .PARAMETER SubscriptionId
        The subscription. Binds from the SubscriptionId property of piped objects.

    .PARAMETER Quantity
        The number of licenses from now on, 1 or more.

    .PARAMETER AutoRenew
        $true renews the subscription at the end of each term (recurring billing on); $false lets it expire.

    .PARAMETER ETag
        The subscription's version as it was read; with it nothing changes if the subscription changed since
        (PreconditionFailed).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Set-MSCommerceSubscription -SubscriptionId $central -Quantity 25

        Raises a central subscription to 25 licenses, after confirmation.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType Central | Set-MSCommerceSubscription -AutoRenew $false -WhatIf

        Shows which central subscriptions would stop renewing.

    .INPUTS
        System.String. SubscriptionId and ETag, by property name.

    .OUTPUTS
        MSCommerce.Subscription. The subscription as it now is.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$SubscriptionId,

        [Parameter()]
        [ValidateRange(1, 2147483647)]
        [int]$Quantity,

        [Parameter()]
        [bool]$AutoRenew,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ETag,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        $body = @{}
        $changes = @()
        if ($PSBoundParameters.ContainsKey('Quantity')) {
            $body['quantity'] = $Quantity
            $changes += "quantity $Quantity"
        }
        if ($PSBoundParameters.ContainsKey('AutoRenew')) {
            $body['autoRenew'] = $AutoRenew
            if ($AutoRenew) {
                $changes += 'renew at the end of each term'
            }
            else {
                $changes += 'do not renew'
            }
        }
        if ($changes.Count -eq 0) {
            $splatError = @{
                Message           = 'Nothing to change: give -Quantity, -AutoRenew, or both.'
                ErrorId           = 'NothingToChange'
                Category          = 'InvalidArgument'
                RecommendedAction = 'Add the change to make.'
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
    }

    process {
        $target = "Subscription '$SubscriptionId'"
        if ($ETag) {
            $target += " as read (ETag $ETag)"
        }
        if (-not $PSCmdlet.ShouldProcess($target, "Change it: $($changes -join '; ')")) {
            return
        }
        $splatRest = @{
            Method        = 'PATCH'
            Path          = '/v1.0/subscriptions/{subscriptionId}'
            PathParameter = @{ subscriptionId = $SubscriptionId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to change subscription '$SubscriptionId'"
            TargetObject  = $SubscriptionId
        }
        if ($ETag) {
            $splatRest['IfMatch'] = $ETag
        }
        try {
            $changed = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        ConvertTo-MSCommerceSubscription -InputObject $changed
    }
}
