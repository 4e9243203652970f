function Get-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Lists the organization's subscriptions, self-service, central or all; or reads one with its users.

    .DESCRIPTION
        Without -SubscriptionId, calls GET /v1.0/subscriptions and follows nextLink: one
        MSCommerce.Subscription object per subscription (product, purchaser, quantity, assigned count, price,
        expiration date, status). With -SubscriptionId, calls GET /v1.0/subscriptions/{subscriptionId} for each ID
        and includes AssignedUsers: who holds its licenses. Needs Global Administrator, Billing Administrator or
        Global Reader (a purchaser may read their own subscription by ID).

    .PARAMETER PurchaseType
        SelfService, Central or All (the default).

    .PARAMETER SubscriptionId
        One or more subscription IDs; binds from the pipeline by property name.

    .PARAMETER First
        Stops the list after this many subscriptions.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService

        Lists the subscriptions users bought themselves.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Get-MSCommerceSubscription | Select-Object -ExpandProperty AssignedUsers

        Lists every user who holds a self-service license (the second command reads each subscription with its
        users).

    .INPUTS
        System.String. Subscription IDs, by property name (SubscriptionId).

    .OUTPUTS
        MSCommerce.Subscription. Properties: SubscriptionId, ProductId, ProductName, PurchaseType,
        AcquisitionKind, Purchaser, PurchaserId, Quantity, AssignedCount, UnitPrice, TotalPrice, Currency,
        BillingFrequency, CreatedAt, ExpiresAt, AutoRenew, Status, AssignedUsers, ETag.
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

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'List') {
                $wire = @{ SelfService = 'selfService'; Central = 'central'; All = 'all' }
                $splatList = @{
                    Method         = 'GET'
                    Path           = '/v1.0/subscriptions'
                    Query          = @{ purchaseType = $wire[$PurchaseType] }
                    FollowNextLink = $true
                    First          = $First
                    Token          = $Token
                    ErrorContext   = 'Failed to retrieve subscriptions'
                }
                Invoke-MSCommerceRestMethod @splatList | ForEach-Object -Process {
                    ConvertTo-MSCommerceSubscription -InputObject $_
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
                ConvertTo-MSCommerceSubscription -InputObject (Invoke-MSCommerceRestMethod @splatOne)
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
