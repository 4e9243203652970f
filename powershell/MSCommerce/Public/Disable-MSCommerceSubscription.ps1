function Disable-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Cancels a subscription: the purchaser's own self-service one, or (administrators) a central one.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/{subscriptionId}/cancel with {"reason", "comment"}. Every license is
        unassigned at once and the subscription becomes Disabled (and Deleted later, as docs/API.md describes).
        The purchaser cancels a self-service subscription; a Global or Billing Administrator a central one. An
        administrator ends someone else's self-service subscription by taking it over instead
        (Stop-MSCommerceSubscription or Move-MSCommerceSubscriptionUser). The users lose access at once, so
        PowerShell asks before each subscription (ConfirmImpact High). Subscriptions piped in bind by
        SubscriptionId and ETag.

        Disable is PowerShell's approved verb for this: the subscription stays, Disabled; Stop is the take-over.

    .PARAMETER SubscriptionId
        The subscription. Binds from the SubscriptionId property of piped objects.

    .PARAMETER Reason
        Why: NoLongerNeeded, TooExpensive, DuplicatePurchase, PurchasedByMistake, MovingToCentralLicenses,
        SecurityOrCompliance, NotApprovedByOrganization or Other (Other needs -Comment).

    .PARAMETER Comment
        Why, in words, up to 1000 characters. Required with -Reason Other (the service refuses it without).

    .PARAMETER ETag
        The subscription's version as it was read; with it nothing changes if it changed since
        (PreconditionFailed).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommercePurchase | Where-Object -Property AssignedCount -EQ 0 | Disable-MSCommerceSubscription -Reason NoLongerNeeded

        Cancels the caller's own unused purchases, after confirmation for each.

    .EXAMPLE
        Disable-MSCommerceSubscription -SubscriptionId $central -Reason MovingToCentralLicenses -WhatIf

        Shows what cancelling a central subscription would do, without cancelling it.

    .INPUTS
        System.String. SubscriptionId and ETag, by property name.

    .OUTPUTS
        MSCommerce.Subscription. The cancelled subscription.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$SubscriptionId,

        [Parameter(Mandatory)]
        [ValidateSet('NoLongerNeeded', 'TooExpensive', 'DuplicatePurchase', 'PurchasedByMistake', 'MovingToCentralLicenses', 'SecurityOrCompliance', 'NotApprovedByOrganization', 'Other')]
        [string]$Reason,

        [Parameter()]
        [ValidateLength(1, 1000)]
        [string]$Comment,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ETag,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $target = "Subscription '$SubscriptionId'"
        if ($ETag) {
            $target += " as read (ETag $ETag)"
        }
        if (-not $PSCmdlet.ShouldProcess($target, "Cancel it ($Reason): its users lose their licenses at once")) {
            return
        }
        $body = @{ reason = $Reason }
        if ($PSBoundParameters.ContainsKey('Comment')) {
            $body['comment'] = $Comment
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/subscriptions/{subscriptionId}/cancel'
            PathParameter = @{ subscriptionId = $SubscriptionId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to cancel subscription '$SubscriptionId'"
            TargetObject  = $SubscriptionId
        }
        if ($ETag) {
            $splatRest['IfMatch'] = $ETag
        }
        try {
            $cancelled = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        ConvertTo-MSCommerceSubscription -InputObject $cancelled
    }
}
