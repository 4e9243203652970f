function Move-MSCommerceSubscriptionUser {
    <#
    .SYNOPSIS
        Takes over a self-service subscription by moving all its users to a central subscription.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers. All or nothing: the central
        subscription needs one free license per user who does not hold one yet, otherwise nothing moves and the
        error (NotEnoughLicenses) says how many are missing. On success the users hold licenses of the central
        subscription, the self-service one is cancelled (status Deleted) and its purchaser is emailed. Asks for
        confirmation (ConfirmImpact High); -WhatIf shows what would happen and changes nothing. Needs Global
        Administrator or Billing Administrator.

    .PARAMETER SubscriptionId
        The self-service subscription to take over; binds from the pipeline by property name.

    .PARAMETER TargetSubscriptionId
        The central subscription that receives the users.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Move-MSCommerceSubscriptionUser -SubscriptionId $selfService -TargetSubscriptionId $central

        Moves the users of one self-service subscription to a central one, after confirmation.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Move-MSCommerceSubscriptionUser -TargetSubscriptionId $central -Confirm:$false

        Centralizes every self-service Power BI Pro subscription, without a prompt for each.

    .INPUTS
        System.String. Subscription IDs, by property name (SubscriptionId).

    .OUTPUTS
        MSCommerce.MoveResult. Properties: Status, MovedUsers, SubscriptionId, SourceStatus,
        TargetSubscriptionId, TargetAssignedCount.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('MSCommerce.MoveResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$SubscriptionId,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$TargetSubscriptionId,

        [Parameter()]
        [string]$Token
    )

    process {
        $action = "Move every user to central subscription $TargetSubscriptionId and cancel this subscription"
        if (-not $PSCmdlet.ShouldProcess($SubscriptionId, $action)) {
            return
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers'
            PathParameter = @{ subscriptionId = $SubscriptionId }
            Body          = @{ targetSubscriptionId = $TargetSubscriptionId }
            Token         = $Token
            ErrorContext  = "Failed to move the users of subscription '$SubscriptionId'"
            TargetObject  = $SubscriptionId
        }
        try {
            $result = Invoke-MSCommerceRestMethod @splatRest
            [pscustomobject]@{
                PSTypeName           = 'MSCommerce.MoveResult'
                Status               = [string]$result.status
                MovedUsers           = [long]$result.movedUsers
                SubscriptionId       = [string]$result.source.id
                SourceStatus         = [string]$result.source.status
                TargetSubscriptionId = [string]$result.target.id
                TargetAssignedCount  = [long]$result.target.assignedCount
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
