function Stop-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Takes over a self-service subscription by cancelling it: its users lose their licenses at once.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/{subscriptionId}/takeOver/cancel with {"reason", "comment", "confirm": true}.
        The subscription becomes Deleted, its users lose their licenses at once, and its purchaser is emailed.
        The reason is one of the service's fixed list; Other needs -Comment, which is checked before anything is
        sent.

        The service refuses the cancel without an explicit "confirm": true (ConfirmationRequired). The command
        sends it only after ShouldProcess agreed: it asks before each subscription (ConfirmImpact High), -WhatIf
        shows what would happen and sends nothing, -Confirm:$false or -Force skips the question (-Force does not
        override an explicit -Confirm).

        Subscriptions can be piped in: objects of Get-MSCommerceSubscription bind by their SubscriptionId
        property (and their ETag, so that each is cancelled only if it has not changed since it was listed); one
        that fails (NotSelfService, SubscriptionNotActive, SubscriptionNotFound, PreconditionFailed) is reported as
        a non-terminating error and the next one is still cancelled. The cancelled subscription is written as an
        MSCommerce.Subscription object (Status Deleted, CancellationReason, CancelledAt).

        Stop is PowerShell's approved verb for ending something that runs, here a subscription's term. Cancel is
        not an approved verb, and Remove would suggest that the subscription disappears: it stays, as Deleted,
        with its cancellation reason. Needs Global Administrator or Billing Administrator.

    .PARAMETER SubscriptionId
        The self-service subscription to cancel. Binds from the SubscriptionId property of piped objects.

    .PARAMETER Reason
        Why: NoLongerNeeded, TooExpensive, DuplicatePurchase, PurchasedByMistake, MovingToCentralLicenses,
        SecurityOrCompliance, NotApprovedByOrganization or Other (Other needs -Comment).

    .PARAMETER Comment
        Why, in words, up to 1000 characters. Required with -Reason Other.

    .PARAMETER ETag
        The subscription's version as it was read: the ETag property of Get-MSCommerceSubscription's objects,
        bound from piped objects. With it, the subscription is cancelled only if it has not changed since it was
        read (the service compares it with If-Match); otherwise nothing changes and the error PreconditionFailed
        says so: read the subscription again, look at it, and repeat. Without it, the subscription is cancelled
        as it is when the request arrives. Given by hand, it applies to every subscription of the call: give it
        with one -SubscriptionId, and let piped subscriptions bring their own.

    .PARAMETER Force
        Cancels without asking for confirmation, unless -Confirm is given too.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Stop-MSCommerceSubscription -SubscriptionId $id -Reason SecurityOrCompliance -Comment 'Unapproved data processor'

        Cancels one self-service subscription, after confirmation.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property AssignedCount -EQ 0 | Stop-MSCommerceSubscription -Reason NoLongerNeeded -WhatIf

        Shows which unused self-service subscriptions would be cancelled, without cancelling any.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property ProductId -EQ 'CFQ7TTC0LH2H' | Stop-MSCommerceSubscription -Reason NotApprovedByOrganization -Force

        Cancels every self-service Power Apps per user subscription, without a prompt for each.

    .INPUTS
        System.String. Subscription IDs and ETags, by property name (SubscriptionId, ETag).

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

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ETag,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        # The list's spelling whatever the case typed, so the prompt and the request show the reason as documented.
        $validSet = $MyInvocation.MyCommand.Parameters['Reason'].Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $Reason = @($validSet.ValidValues | Where-Object -FilterScript { $_ -eq $Reason })[0]
        if ($Reason -eq 'Other' -and [string]::IsNullOrWhiteSpace($Comment)) {
            $splatError = @{
                Message           = "The reason 'Other' needs a comment: say why with -Comment."
                ErrorId           = 'CommentRequired'
                Category          = 'InvalidArgument'
                TargetObject      = $Reason
                RecommendedAction = 'Add -Comment, or choose another -Reason.'
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
    }

    process {
        $target = "Self-service subscription '$SubscriptionId'"
        if ($ETag) {
            $target += " as read (ETag $ETag)"
        }
        $action = "Cancel it ($Reason): its users lose their licenses at once"
        if (-not $PSCmdlet.ShouldProcess($target, $action)) {
            return
        }
        # "confirm": true only now that ShouldProcess agreed.
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
