function Stop-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Takes over a self-service subscription by cancelling it.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/{subscriptionId}/takeOver/cancel with a reason from the service's fixed
        list and an optional comment. Its users lose their licenses at once, the subscription becomes Deleted,
        and its purchaser is emailed. The service requires an explicit confirmation: the command sends it only
        after ShouldProcess agreed (ConfirmImpact High; -Confirm:$false for scripts). Stop is the approved verb
        for ending something that runs (Cancel is not an approved verb; Remove would suggest the record
        disappears, and it stays, as Deleted). Needs Global Administrator or Billing Administrator.

    .PARAMETER SubscriptionId
        The self-service subscription to cancel; binds from the pipeline by property name.

    .PARAMETER Reason
        NoLongerNeeded, TooExpensive, DuplicatePurchase, PurchasedByMistake, MovingToCentralLicenses,
        SecurityOrCompliance, NotApprovedByOrganization or Other (Other needs -Comment).

    .PARAMETER Comment
        Why, in words (up to 1000 characters).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Stop-MSCommerceSubscription -SubscriptionId $id -Reason SecurityOrCompliance -Comment 'Unapproved data processor'

        Cancels one self-service subscription, after confirmation.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property AssignedCount -EQ 0 | Stop-MSCommerceSubscription -Reason NoLongerNeeded -WhatIf

        Shows which unused self-service subscriptions would be cancelled, without cancelling any.

    .INPUTS
        System.String. Subscription IDs, by property name (SubscriptionId).

    .OUTPUTS
        MSCommerce.Subscription. The cancelled subscription (Status Deleted).
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

        [Parameter()]
        [string]$Token
    )

    process {
        if (-not $PSCmdlet.ShouldProcess($SubscriptionId, "Cancel ($Reason): its users lose their licenses at once")) {
            return
        }
        $body = @{ reason = $Reason; confirm = $true }
        if ($PSBoundParameters.ContainsKey('Comment')) {
            $body['comment'] = $Comment
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/subscriptions/{subscriptionId}/takeOver/cancel'
            PathParameter = @{ subscriptionId = $SubscriptionId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to cancel subscription '$SubscriptionId'"
            TargetObject  = $SubscriptionId
        }
        try {
            ConvertTo-MSCommerceSubscription -InputObject (Invoke-MSCommerceRestMethod @splatRest)
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
