function Get-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Lists the organization's subscriptions, self-service, central or all; or reads some with their users.

    .DESCRIPTION
        Without -SubscriptionId, calls GET /v1.0/subscriptions?purchaseType=... and follows nextLink page after
        page: one MSCommerce.Subscription object per subscription (product, purchaser, quantity, assigned count,
        prices, expiration date, status), written as each page arrives. AssignedUsers is empty in a list.

        With -SubscriptionId (or subscriptions piped in, for example from the list), calls
        GET /v1.0/subscriptions/{subscriptionId} for each one; AssignedUsers then holds who has its licenses
        (MSCommerce.AssignedUser objects: UserId, DisplayName, UserPrincipalName, AssignedAt). A subscription
        that cannot be read (SubscriptionNotFound) is reported as a non-terminating error and the next one is
        still read.

        The objects bind by property name (SubscriptionId) to Get-MSCommerceSubscription,
        Export-MSCommerceLicenseUser, Move-MSCommerceSubscriptionUser and Stop-MSCommerceSubscription. Needs
        Global Administrator, Billing Administrator or Global Reader (a purchaser may read their own subscription
        by ID).

    .PARAMETER PurchaseType
        SelfService (bought by users themselves), Central (bought by an administrator for the organization) or
        All (the default).

    .PARAMETER SubscriptionId
        One or more subscription IDs to read with their users. Binds from the SubscriptionId property of piped
        objects.

    .PARAMETER First
        Stops the list after this many subscriptions.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService

        Lists the subscriptions users bought themselves.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Format-Table -Property Purchaser, Quantity, AssignedCount, TotalPrice, ExpiresAt

        Shows who bought Power BI Pro themselves, how many licenses, at what price, until when.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Get-MSCommerceSubscription | Select-Object -ExpandProperty AssignedUsers

        Lists every user who holds a self-service license (the second command reads each subscription with its
        users).

    .EXAMPLE
        (Get-MSCommerceSubscription -SubscriptionId '0b7c3c2e-5a3f-4f57-9d43-1f0a5a0c9e11').AssignedUsers

        Shows who holds the licenses of one subscription.

    .INPUTS
        System.String. Subscription IDs, by property name (SubscriptionId).

    .OUTPUTS
        MSCommerce.Subscription. Properties: SubscriptionId, ProductId, ProductName, Scope, PurchaseType,
        AcquisitionKind, Purchaser, PurchaserName, PurchaserId, Quantity, AssignedCount, UnitPrice, TotalPrice
        (Decimal), Currency, BillingFrequency, CreatedAt, ExpiresAt (UTC DateTime), AutoRenew, Status
        (Active, Expired, Disabled, Deleted), CancelledAt, CancellationReason, CancellationComment,
        AssignedUsers, ETag.
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(ParameterSetName = 'List')]
        [ValidateSet('SelfService', 'Central', 'All')]
        [string]$PurchaseType = 'All',

        [Parameter(Mandatory, ParameterSetName = 'ById', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]]$SubscriptionId,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$First,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if ($PSCmdlet.ParameterSetName -eq 'List') {
            # The service's names of the purchase types.
            $wire = @{ SelfService = 'selfService'; Central = 'central'; All = 'all' }
            $query = @{ purchaseType = $wire[$PurchaseType] }
            if ($First -gt 0 -and $First -le 1000) {
                $query['top'] = $First
            }
            $splatList = @{
                Method         = 'GET'
                Path           = '/v1.0/subscriptions'
                Query          = $query
                FollowNextLink = $true
                First          = $First
                Token          = $Token
                ErrorContext   = 'Failed to retrieve subscriptions'
            }
            try {
                # A pipeline, not foreach: objects leave as each page arrives.
                Invoke-MSCommerceRestMethod @splatList | ForEach-Object -Process {
                    ConvertTo-MSCommerceSubscription -InputObject $_
                }
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
            return
        }

        foreach ($id in $SubscriptionId) {
            $splatOne = @{
                Method        = 'GET'
                Path          = '/v1.0/subscriptions/{subscriptionId}'
                PathParameter = @{ subscriptionId = $id }
                Token         = $Token
                ErrorContext  = "Failed to retrieve subscription '$id'"
                TargetObject  = $id
            }
            try {
                ConvertTo-MSCommerceSubscription -InputObject (Invoke-MSCommerceRestMethod @splatOne)
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
        }
    }
}
